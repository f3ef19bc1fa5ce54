import ArgumentParser

@main
struct FluxionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fluxion",
        abstract: "Fluxion: pipeline leak-detection digital twin — client and offline tools.",
        subcommands: [
            HealthCommand.self,
            InfoCommand.self,
            WatchCommand.self,
            InjectLeakCommand.self,
            ClearLeakCommand.self,
            LeaksCommand.self,
            TopologyCommand.self,
            ClockCommand.self,
            SensorFaultCommand.self,
            SimulateCommand.self,
            ReplayCommand.self,
            ScenariosCommand.self,
            GenerateCommand.self,
            LOFCommand.self,
            TrainCommand.self,
            EvaluateCommand.self,
            DetectorsCommand.self,
            AlertsCommand.self,
            AuditCommand.self,
            TokenCommand.self,
        ])
}
