"""Rules every markdown kind shares: the frontmatter block and its keys (CREW100–CREW112)."""

from __future__ import annotations

from crew_lsp.checks.codes import Severity
from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import Related, diag, edit, fix
from crew_lsp.checks.suggest import did_you_mean, suggest
from crew_lsp.checks.templates import frontmatter_template, todo_description
from crew_lsp.resources.fields import FieldSpec
from crew_lsp.resources.frontmatter import Document, Entry, Frontmatter, csv_items, is_positive_int, leading_int
from crew_lsp.resources.skill import description_line
from crew_lsp.resources.text import Span, utf16_len

_QUOTES = ('"', "'")
_BOOL_WORDS = {"true": "true", "false": "false", "yes": "true", "no": "false", "on": "true", "off": "false", "1": "true", "0": "false"}
_CSV_KINDS = {"csv", "models", "tools", "skills", "paths"}
_YAML_STARTS = frozenset("|>[")  # first characters of the values `_yaml_constructs` looks at
# kinds whose only value check is the quotes (the others: bool, enum, int)
_PLAIN_KINDS = frozenset(("text", "csv", "model", "models", "tools", "skills", "thinking", "path", "paths"))


def check_block(ctx: Ctx) -> None:
    """CREW100–CREW104: is there a frontmatter block, and does pi-crew read it as the author meant?"""
    doc, fm, res = ctx.doc, ctx.doc.frontmatter, ctx.res
    if fm.hidden_by is not None:
        ctx.add(diag("CREW101", fm.hidden_prefix, f"The {fm.hidden_by} before `---` hides the frontmatter: pi-crew reads the whole file as body and every field defaults.",
                     fixes=[fix(f"Remove the {fm.hidden_by} before `---`", edit(fm.hidden_prefix, ""), preferred=True)]))
        return
    if fm.unclosed:
        if len(doc.lines) > 1 and doc.lines[1] == "---":
            # pi-crew looks for the closing line after the first one, so `---` right below never closes.
            fields = frontmatter_template(res.file_name, res.kind)[4:-4].replace("\n", ctx.nl)  # the key lines, between the `---`
            ctx.add(diag("CREW102", ctx.line_span(0), "An empty block (`---` directly followed by `---`) is not frontmatter: pi-crew looks for the closing `---` after the second line, finds none, and reads the whole file as body.",
                         fixes=[fix("Fill in the empty frontmatter", edit(Span(1, 0, 1, 0), fields), preferred=True)]))
            return
        last = 0
        for i in range(1, len(doc.lines)):
            s = doc.lines[i].strip()
            if s and not s.startswith("#") and ":" not in s:
                break
            if s:
                last = i
        at = Span(last + 1, 0, last + 1, 0) if last + 1 < len(doc.lines) else None
        end = utf16_len(doc.lines[last])
        nl = ctx.nl
        insert = edit(at, f"---{nl}") if at else edit(Span(last, end, last, end), f"{nl}---{nl}")
        ctx.add(diag("CREW102", ctx.line_span(0), f"The frontmatter is never closed ({_why_unclosed(doc)}): pi-crew reads the whole file as body and every field defaults.",
                     fixes=[fix("Insert the closing `---`", insert, preferred=True)]))
        return
    if not fm.present:
        if res.kind == "skill":
            return  # CREW410 explains a skill without frontmatter
        if res.kind == "workflow" and doc.crlf:
            return  # CREW311 explains it, with what the missing block costs on CRLF (one root cause, one diagnostic)
        hint = ""
        if res.kind == "agent" and res.file_name.lower() == "readme":
            hint = " Every `.md` in an agents folder is an agent: this README becomes agent `README`."
        ctx.add(diag("CREW100", ctx.line_span(0), f"No frontmatter: the name defaults to `{res.file_name}` and the description to `No description provided.`.{hint}",
                     fixes=[fix("Add frontmatter", edit(Span(0, 0, 0, 0), frontmatter_template(res.file_name, res.kind).replace("\n", ctx.nl)), preferred=True)]))
        return
    _yaml_constructs(ctx)
    for line in fm.skipped:
        if line in ctx.handled_lines:
            continue
        ctx.add(diag("CREW103", ctx.line_span(line), f"This frontmatter line has no `:` and is skipped: `{doc.lines[line].strip()}`."))


def _why_unclosed(doc: Document) -> str:
    """Why pi-crew finds no closing line: none at all, or a `---` line that does not count."""
    lines = doc.lines
    closing = next((i for i in range(2, len(lines)) if lines[i] == "---"), None)
    if closing is None:
        return "no line `---` after it"
    if doc.text.endswith("\r"):  # (any other `---` line is followed by a line break and closes the block)
        return f"the `---` on line {closing + 1} ends with a `\\r` that is no line break"
    earlier = next((i for i in range(1, closing) if lines[i].startswith("---")), closing)
    return f"a final `---` counts only when no earlier line starts with `---`, and line {earlier + 1} does"


def _yaml_constructs(ctx: Ctx) -> None:
    """CREW104: YAML the line grammar misreads (block lists, flow lists, block scalars, indentation)."""
    fm = ctx.doc.frontmatter
    assert fm.close_line is not None
    if fm.plain_values:
        return  # (the usual block: every line `key: value`, nothing YAML about any)
    lines: list[str] = []
    for entry in fm.entries:
        value = entry.value
        indented = entry.indented
        if value and not indented and value[0] not in _YAML_STARTS:
            continue  # the usual `key: value` line: nothing YAML about it
        if entry.key == "tools" and value == "[]" and ctx.reading.tools_split:
            continue  # a word of the `tools:` grammar: no tools listed
        lines = lines or ctx.doc.lines
        if entry.value == "" and not indented:
            items, j = [], entry.line + 1
            while j < fm.close_line:
                s = lines[j].strip()
                if s.startswith("- ") or s == "-":
                    items.append((j, s[1:].strip()))
                elif s:
                    break
                j += 1
            if items:
                ctx.handled_lines.update(i for i, _ in items)
                values = ", ".join(v for _, v in items if v)
                consequence = " — the worker gets every tool" if entry.key == "tools" else ""
                last = items[-1][0]
                span = Span(entry.line, entry.key_span.start, last, utf16_len(lines[last]))
                ctx.add(diag("CREW104", entry.key_span, f"`{entry.key}:` is a YAML block list: pi-crew reads `{entry.key}` as empty and drops the items ({values}){consequence}.",
                             fixes=[fix(f"Rewrite as `{entry.key}: {values}`", edit(span, f"{entry.key}: {values}"), preferred=True)],
                             data={"key": entry.key, "items": [v for _, v in items]}))
        elif entry.value in ("|", ">", "|-", ">-", "|+", ">+"):
            parts, j = [], entry.line + 1
            while j < fm.close_line and (lines[j][:1].isspace() or not lines[j].strip()):
                if lines[j].strip():
                    parts.append(lines[j].strip())
                ctx.handled_lines.add(j)
                j += 1
            ctx.handled_lines.add(entry.line)
            joined = " ".join(parts)
            end = j - 1 if j - 1 > entry.line else entry.line
            span = Span(entry.line, entry.key_span.start, end, utf16_len(lines[end]))
            ctx.add(diag("CREW104", entry.value_span, f"`{entry.value}` starts a YAML block scalar: pi-crew has no multi-line values, so `{entry.key}` is the literal `{entry.value}` and the lines below are misread.",
                         fixes=[fix("Join into one line", edit(span, f"{entry.key}: {joined}"), preferred=True)] if parts else None))
        elif entry.value.startswith("[") and entry.value.endswith("]") and len(entry.value) >= 2:
            inner = ", ".join(p.strip().strip("\"'") for p in entry.value[1:-1].split(",") if p.strip())
            ctx.handled_lines.add(entry.line)
            items = [i.text for i in csv_items(entry)]
            ctx.add(diag("CREW104", entry.value_span, f"`{entry.value}` is a YAML flow list: pi-crew reads the items {', '.join(f'`{i}`' for i in items)}.",
                         fixes=[fix(f"Rewrite as `{inner}`", edit(entry.value_span, inner), preferred=True)]))
        elif indented and entry.line not in ctx.handled_lines:
            ctx.handled_lines.add(entry.line)
            if ctx.res.kind == "skill" and entry.key == "description":
                message = "Skill discovery reads the description only from a line starting exactly with `description:`: this indented line gives none."
            else:
                message = f"Indentation is ignored: this is read as the top-level key `{entry.key}` = `{entry.value}`."
            ctx.add(diag("CREW104", entry.key_span, message,
                         fixes=[fix("Remove the indentation", edit(Span(entry.line, 0, entry.line, entry.key_span.start), ""))]))


def check_keys(ctx: Ctx, specs: dict[str, FieldSpec] | None = None) -> None:
    """CREW105–CREW112 for every frontmatter entry of this kind."""
    res, fm = ctx.res, ctx.doc.frontmatter
    if not fm.present:
        return
    specs = specs if specs is not None else ctx.reading.fields(res.kind)
    entries, fields = fm.entries, fm.fields
    for entry in entries if len(entries) != len(fields) else ():  # only when some key repeats
        winner = fields[entry.key]
        if res.kind == "skill" and entry.key == "description":
            _skill_description_again(ctx, entry)
        elif winner is not entry:
            ctx.add(diag("CREW106", entry.key_span, f"`{entry.key}` is set again on line {winner.line + 1}; that later value (`{winner.value}`) wins and this line is ignored.",
                         related=[Related(res.path, winner.key_span, "the value that applies")],
                         fixes=[fix("Remove this ignored line", edit(ctx.line_removal(entry.line), ""))]))
    handled = ctx.handled_lines
    for entry in entries:
        if fields[entry.key] is not entry or handled and entry.line in handled:
            continue  # an ignored duplicate (CREW106), or explained already
        spec = specs.get(entry.key)
        if spec is None:
            close = suggest(entry.key, specs)
            if close:
                ctx.add(diag("CREW107", entry.key_span, f"Unknown {res.kind} key `{entry.key}` is ignored{did_you_mean(close)}",
                             fixes=[fix(f"Change to `{c}`", edit(entry.key_span, c), preferred=i == 0) for i, c in enumerate(close)], data={"key": entry.key, "suggestions": close}))
            else:
                ctx.add(diag("CREW107", entry.key_span, f"`{entry.key}` is not a pi-crew {res.kind} key; pi-crew ignores it.", severity=Severity.INFORMATION))
            continue
        value = entry.value
        if value[:1] not in _QUOTES:
            kind = spec.kind
            if kind in _PLAIN_KINDS:
                continue  # a kind whose only check is the quotes, unquoted
            if kind == "bool":
                if value == "true" or value == "false":
                    continue
            elif kind == "enum" and (not value or value in spec.values):
                continue  # (`_value_quiet`'s usual answers, without the call)
        if not _value_quiet(value, spec):
            check_value(ctx, entry, spec)
    if res.kind in ("agent", "team", "workflow") and not (fm.get("description") or "").strip():
        ctx.add(diag("CREW111", ctx.name_span(), f"No description: pickers and routing show `No description provided.` for this {res.kind}.",
                     fixes=[_add_description(fm, res.kind, ctx.nl)]))
    name = fm.fields.get("name")
    if res.kind in ("agent", "team", "workflow") and name is not None and name.value and name.value != res.file_name:
        ctx.add(diag("CREW112", name.value_span, f"The name `{name.value}` differs from the file name `{res.file_name}`; references must use `{name.value}`.",
                     data={"name": name.value, "fileName": res.file_name}))


def _skill_description_again(ctx: Ctx, entry: Entry) -> None:
    """CREW106 for a skill's `description`: skill discovery keeps the first line, so a later one is ignored."""
    read = description_line(ctx.res.text)
    if read is None or entry.line <= read:
        return  # this is the line that applies (or none applies: CREW104/CREW410 say why)
    first = next(e for e in ctx.doc.frontmatter.entries if e.line == read)
    ctx.add(diag("CREW106", entry.key_span, f"`description` is set again; skill discovery keeps the first one (line {read + 1}, `{first.value}`) and ignores this line.",
                 related=[Related(ctx.res.path, first.key_span, "the value that applies")],
                 fixes=[fix("Remove this ignored line", edit(ctx.line_removal(entry.line), ""))]))


def _add_description(fm: Frontmatter, kind: str, nl: str = "\n") -> dict:
    """Fill an empty `description:` in place, or add the line before the closing `---`."""
    text = todo_description(kind)
    entry = fm.fields.get("description")
    if entry is not None:
        return fix("Add a description", edit(entry.value_span, text))
    line = fm.close_line or 1
    return fix("Add a description", edit(Span(line, 0, line, 0), f"description: {text}{nl}"))


def _quoted(value: str) -> bool:
    return len(value) >= 2 and value[0] in _QUOTES and value[-1] == value[0]


def _value_quiet(value: str, spec: FieldSpec) -> bool:
    """True when `check_value` has nothing to say: the usual case, decided without spans."""
    if value[:1] in _QUOTES and value:
        return False
    kind = spec.kind
    if kind == "bool":
        return value == "true" or value == "false"
    if kind == "enum":
        return not value or value in spec.values
    if kind == "int":
        return is_positive_int(value)
    if kind == "anycase":
        return value.lower() in spec.values
    return True


def check_value(ctx: Ctx, entry: Entry, spec: FieldSpec) -> None:
    value = entry.value
    if value[:1] in _QUOTES and value and _quoted(value) and spec.kind not in _CSV_KINDS:
        inner = value[1:-1]
        ctx.add(diag("CREW105", entry.value_span, f"Quotes are kept: `{entry.key}` is `{value}`, quotes included.",
                     fixes=[fix("Remove the quotes", edit(entry.value_span, inner), preferred=True)]))
        return
    if spec.false_ok and value == "false":
        return
    if spec.kind == "bool":
        if value not in ("true", "false"):
            check_bool(ctx, entry, spec.default or "false")
    elif spec.kind == "enum":
        if value and value not in spec.values:
            applies = spec.default if spec.default else "nothing (the value is ignored)"
            close = suggest(value, spec.values)
            if spec.lenient_enum and not close:
                return
            ctx.add(diag("CREW109", entry.value_span, f"`{value}` is not one of {', '.join(f'`{v}`' for v in spec.values)}; applies: {applies}{did_you_mean(close)}",
                         fixes=[fix(f"Change to `{c}`", edit(entry.value_span, c), preferred=i == 0) for i, c in enumerate(close)], data={"allowed": list(spec.values)}))
    elif spec.kind == "int":
        check_int(ctx, entry)
    elif spec.kind == "anycase" and value.lower() not in spec.values:
        ctx.add(diag("CREW109", entry.value_span, f"`{value}` is not one of {', '.join(f'`{v}`' for v in spec.values)} (any case); pi-crew treats `{entry.key}` as not set.",
                     data={"allowed": list(spec.values)}))


def check_bool(ctx: Ctx, entry: Entry, default: str) -> None:
    value = entry.value
    if value in ("true", "false"):
        return
    meant = _BOOL_WORDS.get(value.lower())
    fixes = [fix(f"Change to `{meant}`", edit(entry.value_span, meant), preferred=True)] if meant else None
    ctx.add(diag("CREW108", entry.value_span, f"`{value}` is not `true` or `false` (lowercase): pi-crew treats `{entry.key}` as not set ({default} applies).", fixes=fixes))


def check_int(ctx: Ctx, entry: Entry) -> None:
    value, kind = entry.value, ctx.res.kind
    if is_positive_int(value):
        return
    n = leading_int(value)
    if kind == "team":
        applies = "the value acts as 1" if n is not None else "pi-crew keeps a non-number and the workflow's or the default concurrency applies"
    elif kind == "workflow" and ctx.reading.workflow_concurrency_floor is None:
        applies = f"it is read as {n}" if n is not None and n >= 1 else "pi-crew keeps it and the scheduler runs one worker at a time (values below 1 act as 1)" \
            if n is not None else "it is ignored and the default concurrency applies"
    elif kind == "workflow":
        applies = f"it is read as {n}" if n is not None and n >= 1 else "it is ignored and the default concurrency applies"
    else:
        applies = f"it is read as {n}" if n is not None and n > 0 else "it is ignored"
    fixes = [fix(f"Change to `{n}`", edit(entry.value_span, str(n)), preferred=True)] if n is not None and n > 0 else None
    ctx.add(diag("CREW110", entry.value_span, f"`{entry.key}: {value}` is not a positive integer; {applies}.", fixes=fixes))
