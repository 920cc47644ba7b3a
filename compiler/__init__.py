"""inferc: a declarative GitOps manifest compiler for model serving on KServe and OpenShift AI."""

__version__ = "0.1.0"
