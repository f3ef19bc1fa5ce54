/// FluxionTwin: 1-D transient pipeline physics (method of characteristics). No I/O.
public enum FluxionTwin {}
