print("bench-rpc-unary: not yet written")
