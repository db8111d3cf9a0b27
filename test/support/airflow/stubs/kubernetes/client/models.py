"""Any k8s.V1* model: records its keyword arguments (kubernetes.client.models takes keywords only)."""


class _Model:
    def __init__(self, **kwargs):
        self.kwargs = kwargs


def __getattr__(name):
    if not name.startswith("V1"):
        raise AttributeError(name)
    return type(name, (_Model,), {})
