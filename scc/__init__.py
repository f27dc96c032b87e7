"""scc: the Service Connect compiler (spec.yaml -> linted CloudFormation for Amazon ECS)."""

__version__ = "0.1.0"
