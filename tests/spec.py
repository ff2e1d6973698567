"""The OpenAPI document as tests walk it: every operation, its request example, its parameters."""

import re
from dataclasses import dataclass

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    doc: dict

    @property
    def id(self) -> str:
        return self.doc.get("operationId") or f"{self.method} {self.path}"

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def url(self, **values) -> str:
        return self.path.format(**values)

    @property
    def body_example(self):
        content = self.doc.get("requestBody", {}).get("content", {}).get("application/json")
        return None if content is None else content.get("example")

    @property
    def takes_json(self) -> bool:
        return "application/json" in self.doc.get("requestBody", {}).get("content", {})

    def query_parameters(self, spec: dict) -> list[dict]:
        return [resolve(spec, p) for p in self.doc.get("parameters", []) if resolve(spec, p)["in"] == "query"]


def operations(spec: dict) -> list[Operation]:
    return [
        Operation(method, path, doc)
        for path, item in spec["paths"].items()
        for method, doc in item.items()
        if method in METHODS
    ]


def resolve(spec: dict, node):
    """A $ref followed to its target (once; enough for parameters and responses)."""
    if isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return target
    return node


def json_schema(spec: dict, schema: dict) -> dict:
    """An OpenAPI 3.0 schema as JSON Schema draft 4 (nullable -> a null type), components included."""

    def convert(node):
        if isinstance(node, list):
            return [convert(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: convert(value) for key, value in node.items() if key != "example"}
        if node.pop("nullable", False):
            if isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
                if "enum" in node:
                    node["enum"] = [*node["enum"], None]
            else:
                node = {"anyOf": [node, {"type": "null"}]}
        return node

    # Draft 4 reads OpenAPI 3.0's boolean exclusiveMinimum as it is meant.
    return {**convert(schema), "components": convert(spec["components"])}
