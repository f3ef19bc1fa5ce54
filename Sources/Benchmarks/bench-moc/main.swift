print("bench-moc: not yet written")
