#!/usr/bin/env python3
"""Writes ``aetherium/_api_types.py`` from the gateway's OpenAPI document.

The document (``GET /api/v1/openapi.json``) is the one description of the wire; the SDK's request
and answer types and its table of operations are derived from it here, never written by hand.
Standard library only, so it runs wherever the SDK's tests do::

    python3 scripts/generate_types.py openapi.json > aetherium/_api_types.py
    python3 scripts/generate_types.py http://127.0.0.1:8080/api/v1/openapi.json -o aetherium/_api_types.py

The output depends on nothing but the document: the same document gives the same bytes, which
is what the drift test compares.
"""

from __future__ import annotations

import argparse
import json
import keyword
import sys
import textwrap
import urllib.request
from dataclasses import dataclass, field
from typing import Any

Schema = dict[str, Any]

REF_PREFIX = "#/components/schemas/"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
COMMENT_WIDTH = 96


class UnsupportedSchema(Exception):
    """A schema construct this generator does not translate; the document changed shape."""


def pascal(text: str) -> str:
    """``path_dirs`` → ``PathDirs``, ``createVm`` → ``CreateVm``."""
    parts = [part for part in text.replace("-", "_").split("_") if part]
    return "".join(part[0].upper() + part[1:] for part in parts)


def literal_item(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else repr(value)


def comment_lines(text: str | None, indent: str) -> list[str]:
    if not text:
        return []
    wrapped = textwrap.wrap(" ".join(text.split()), width=COMMENT_WIDTH - len(indent) - 2)
    return [f"{indent}# {line}" for line in wrapped]


@dataclass
class TypedDictDef:
    name: str
    description: str | None
    # (key, type expression, required, description)
    fields: list[tuple[str, str, bool, str | None]] = field(default_factory=list)


@dataclass
class AliasDef:
    name: str
    expression: str
    description: str | None
    depends_on: list[str] = field(default_factory=list)
    # Set for a Literal alias: its values, so that a long one is written one value per line.
    literal_values: list[Any] | None = None


LINE_WIDTH = 100


def alias_lines(alias: AliasDef) -> list[str]:
    """`Name: TypeAlias = expression`, one item per line when it does not fit on one."""
    head = f"{alias.name}: TypeAlias = "
    lines = ["", *comment_lines(alias.description, "")]
    if len(head + alias.expression) <= LINE_WIDTH:
        return [*lines, head + alias.expression]
    if alias.literal_values is not None:
        items = [f"    {literal_item(value)}," for value in alias.literal_values]
        return [*lines, head + "Literal[", *items, "]"]
    members = alias.expression.split(" | ")
    return [*lines, head + "(", f"    {members[0]}", *[f"    | {m}" for m in members[1:]], ")"]


class Generator:
    def __init__(self, document: Schema) -> None:
        self.document = document
        self.schemas: dict[str, Schema] = document.get("components", {}).get("schemas", {})
        self.classes: list[TypedDictDef] = []
        self.literals: list[AliasDef] = []
        self.aliases: list[AliasDef] = []
        self.literal_names: dict[tuple[Any, ...], str] = {}
        self.taken: set[str] = set()

    # -- names ---------------------------------------------------------------------------------

    def claim(self, name: str) -> str:
        if name in self.taken:
            raise UnsupportedSchema(f"two definitions would be named {name}")
        self.taken.add(name)
        return name

    # -- translation -----------------------------------------------------------------------------

    def literal(self, values: list[Any]) -> str:
        return "Literal[" + ", ".join(literal_item(v) for v in values) + "]"

    def named_literal(self, values: list[Any], name: str, description: str | None) -> str:
        key = tuple(values)
        if key not in self.literal_names:
            self.literal_names[key] = self.claim(name)
            self.literals.append(AliasDef(name, self.literal(values), description, literal_values=values))
        return self.literal_names[key]

    def type_of(self, schema: Schema, context: str, refs: list[str]) -> str:
        """The Python type of `schema`; inline objects and enums become definitions named from `context`."""
        expression = self.bare_type_of(schema, context, refs)
        if schema.get("nullable") and expression != "Any":
            return f"{expression} | None"
        return expression

    def bare_type_of(self, schema: Schema, context: str, refs: list[str]) -> str:
        if "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith(REF_PREFIX):
                raise UnsupportedSchema(f"{context}: reference {ref}")
            name = ref[len(REF_PREFIX) :]
            refs.append(name)
            return str(name)
        if "allOf" in schema:
            members = schema["allOf"]
            if len(members) != 1:
                raise UnsupportedSchema(f"{context}: allOf with {len(members)} members")
            return self.bare_type_of(members[0], context, refs)
        for combinator in ("oneOf", "anyOf"):
            if combinator in schema:
                variants = [
                    self.type_of(variant, self.variant_name(context, variant, index), refs)
                    for index, variant in enumerate(schema[combinator])
                ]
                return " | ".join(dict.fromkeys(variants))
        if "enum" in schema:
            values = schema["enum"]
            if len(values) == 1:
                return self.literal(values)
            return self.named_literal(values, context, schema.get("description"))
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            if "properties" in schema:
                return self.typed_dict(schema, context)
            extra = schema.get("additionalProperties", True)
            if extra is True or extra == {}:
                return "dict[str, Any]"
            if extra is False:
                return "dict[str, Any]"
            return f"dict[str, {self.type_of(extra, context + 'Value', refs)}]"
        if kind == "array":
            return f"list[{self.type_of(schema.get('items', {}), context + 'Item', refs)}]"
        simple = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
        if kind in simple:
            return simple[kind]
        if kind is None:
            return "Any"
        raise UnsupportedSchema(f"{context}: type {kind!r}")

    def variant_name(self, context: str, variant: Schema, index: int) -> str:
        tag = variant.get("properties", {}).get("type", {}).get("enum")
        if isinstance(tag, list) and tag and all(isinstance(v, str) for v in tag):
            return context + "".join(pascal(v) for v in tag)
        return f"{context}Variant{index + 1}"

    def typed_dict(self, schema: Schema, name: str) -> str:
        definition = TypedDictDef(self.claim(name), schema.get("description"))
        self.classes.append(definition)
        required = set(schema.get("required", []))
        for key, prop in schema["properties"].items():
            expression = self.type_of(prop, name + pascal(key), [])
            definition.fields.append((key, expression, key in required, prop.get("description")))
        return definition.name

    # -- the document ----------------------------------------------------------------------------

    def run(self) -> None:
        for name, schema in self.schemas.items():
            self.component(name, schema)
        for operation_id, _method, _path, operation in self.operations():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            schema = body.get("schema")
            if schema and "$ref" not in schema:
                self.type_of(schema, pascal(operation_id) + "Request", [])

    def component(self, name: str, schema: Schema) -> None:
        is_object = schema.get("type") == "object" and "properties" in schema
        if is_object:
            self.typed_dict(schema, name)
            return
        if "enum" in schema and len(schema["enum"]) > 1:
            key = tuple(schema["enum"])
            # A component enum keeps its own name even when an identical one was seen inline.
            self.claim(name)
            self.literal_names.setdefault(key, name)
            values = schema["enum"]
            self.literals.append(
                AliasDef(name, self.literal(values), schema.get("description"), literal_values=values)
            )
            return
        refs: list[str] = []
        expression = self.type_of(schema, name, refs)
        self.aliases.append(AliasDef(self.claim(name), expression, schema.get("description"), refs))

    def operations(self) -> list[tuple[str, str, str, Schema]]:
        found = []
        for path, item in self.document.get("paths", {}).items():
            for method in HTTP_METHODS:
                operation = item.get(method)
                if operation and operation.get("operationId"):
                    found.append((operation["operationId"], method.upper(), path, operation))
        return found

    # -- output ----------------------------------------------------------------------------------

    def render(self) -> str:
        self.run()
        info = self.document.get("info", {})
        out: list[str] = [
            f'"""Types of the Aetherium REST API: {info.get("title", "")} {info.get("version", "")}.',
            "",
            "Generated by scripts/generate_types.py from the gateway's OpenAPI document",
            "(GET /api/v1/openapi.json); do not edit. Regenerate after the API changes; the test",
            "suite fails when this file and a live gateway's document disagree.",
            '"""',
            "",
            "from __future__ import annotations",
            "",
            "from typing import Any, Final, Literal, NotRequired, TypeAlias, TypedDict",
            "",
            f"API_VERSION: Final = {json.dumps(info.get('version', ''))}",
            "",
        ]
        for alias in self.literals:
            out += alias_lines(alias)
        for definition in self.classes:
            out += ["", "", *self.render_class(definition)]
        out += [""]
        for alias in self.ordered_aliases():
            out += alias_lines(alias)
        operations = self.operations()
        out += [
            "",
            "",
            "# Every operation of the API by its operationId.",
            "OperationId: TypeAlias = Literal[",
            *[f"    {json.dumps(op_id)}," for op_id, *_ in operations],
            "]",
            "",
            "# (method, path template) of each operation.",
            "OPERATIONS: Final[dict[OperationId, tuple[str, str]]] = {",
            *[
                f"    {json.dumps(op_id)}: ({json.dumps(m)}, {json.dumps(p)}),"
                for op_id, m, p, _ in operations
            ],
            "}",
            "",
        ]
        return "\n".join(out)

    def render_class(self, definition: TypedDictDef) -> list[str]:
        def annotation(expression: str, required: bool) -> str:
            return expression if required else f"NotRequired[{expression}]"

        identifiers = all(key.isidentifier() and not keyword.iskeyword(key) for key, *_ in definition.fields)
        lines: list[str] = []
        if identifiers:
            lines.append(f"class {definition.name}(TypedDict):")
            if definition.description:
                lines.append(f'    """{" ".join(definition.description.split())}"""')
                if definition.fields:
                    lines.append("")
            for key, expression, required, description in definition.fields:
                lines += comment_lines(description, "    ")
                lines.append(f"    {key}: {annotation(expression, required)}")
            if not definition.fields and not definition.description:
                lines.append("    pass")
            return lines
        # A key that is not a Python name (`from`) needs the functional form; its types are strings
        # so that names defined further down resolve lazily, as in the class form.
        lines += comment_lines(definition.description, "")
        lines.append(f"{definition.name} = TypedDict(")
        lines.append(f"    {json.dumps(definition.name)},")
        lines.append("    {")
        for key, expression, required, description in definition.fields:
            lines += comment_lines(description, "        ")
            lines.append(f"        {json.dumps(key)}: {json.dumps(annotation(expression, required))},")
        lines.append("    },")
        lines.append(")")
        return lines

    def ordered_aliases(self) -> list[AliasDef]:
        """Aliases are evaluated when the module loads: each after the aliases it names."""
        by_name = {alias.name: alias for alias in self.aliases}
        ordered: list[AliasDef] = []
        seen: set[str] = set()

        def visit(alias: AliasDef, trail: tuple[str, ...]) -> None:
            if alias.name in seen:
                return
            if alias.name in trail:
                raise UnsupportedSchema(f"aliases refer to each other: {' → '.join(trail)}")
            for dependency in alias.depends_on:
                if dependency in by_name:
                    visit(by_name[dependency], (*trail, alias.name))
            seen.add(alias.name)
            ordered.append(alias)

        for alias in self.aliases:
            visit(alias, ())
        return ordered


def render(document: Schema) -> str:
    """The module text for `document`."""
    return Generator(document).render()


def load(source: str) -> Schema:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as answer:  # noqa: S310 - a URL the caller gave
            document = json.loads(answer.read())
    else:
        with open(source, encoding="utf-8") as handle:
            document = json.load(handle)
    if not isinstance(document, dict):
        raise UnsupportedSchema("the document is not a JSON object")
    return document


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="the OpenAPI document: a file, or the gateway's URL of it")
    parser.add_argument("-o", "--output", help="write here instead of standard output")
    args = parser.parse_args(argv)
    try:
        text = render(load(args.source))
    except UnsupportedSchema as error:
        print(f"generate_types: {error}", file=sys.stderr)
        return 1
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
