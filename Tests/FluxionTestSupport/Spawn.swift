import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts `argv` (argv[0] an absolute path) with standard input from /dev/null and standard
/// output and error to the file `output` (appended or truncated), every signal unblocked.
/// posix_spawn, not Process: the test-owned servers (PostgreSQL, mosquitto) and their tools are
/// waited for with waitpid, and an inherited pipe would never reach EOF.
func spawn(_ argv: [String], output: String, append: Bool) throws(TestPostgres.Failure) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(
        &actions, 1, output, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    let cArgs = argv.map { strdup($0) } + [nil]
    defer { for a in cArgs { free(a) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, environ)
    guard rc == 0 else { throw TestPostgres.Failure("\(argv[0]): cannot start (errno \(rc))") }
    return pid
}
