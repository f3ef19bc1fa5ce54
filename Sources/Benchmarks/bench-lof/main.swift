print("bench-lof: not yet written")
