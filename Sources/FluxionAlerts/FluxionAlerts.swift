/// FluxionAlerts: hysteresis, SQLite persistence, queries and aggregates.
public enum FluxionAlerts {}
