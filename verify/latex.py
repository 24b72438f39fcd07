"""LaTeX export of a claim's derivations: a standalone document, or only the ``align`` blocks.

Every displayed formula is ``sympy.latex`` of the same SymPy objects the checks verified (a step's
left and right sides), annotated with how the step was checked. Prose (statements, provenance, step
descriptions) is plain text with a little math notation; it is converted by ``prose``: words that look
like mathematics go into ``$…$`` and Unicode symbols become LaTeX commands, so pdflatex compiles it
without extra packages.
"""

from __future__ import annotations

import re
import unicodedata

import sympy as sp

from .claim import Claim

WIDTH = 150  # characters of LaTeX source per displayed line before a long sum is broken

# Unicode → LaTeX math; anything else non-ASCII in prose is an error (caught by the compile tests).
_MATH = {
    "σ": r"\sigma", "θ": r"\theta", "γ": r"\gamma", "η": r"\eta", "ω": r"\omega", "φ": r"\varphi", "ρ": r"\rho",
    "α": r"\alpha", "ℓ": r"\ell", "π": r"\pi", "λ": r"\lambda", "Φ": r"\Phi", "Λ": r"\Lambda", "Σ": r"\Sigma",
    "∏": r"\prod", "∫": r"\int", "≤": r"\le", "≥": r"\ge", "⇔": r"\Leftrightarrow", "⇒": r"\Rightarrow",
    "→": r"\to", "·": r"\cdot", "×": r"\times", "−": "-", "⋯": r"\cdots", "…": r"\dots", "²": "^2",
    "∞": r"\infty", "≈": r"\approx", "≠": r"\ne", "∈": r"\in", "√": r"\surd", "ẇ": r"\dot w", "ε": r"\varepsilon",
    "½": r"\tfrac12", "∂": r"\partial", "⁻": "^-", "¹": "^1", "₀": "_0", "∗": "*", "Γ": r"\Gamma", "δ": r"\delta",
    "Δ": r"\Delta", "ᵀ": r"^\top", "±": r"\pm", "τ": r"\tau", "μ": r"\mu", "β": r"\beta",
    "‖": r"\|", "⟨": r"\langle", "⟩": r"\rangle", "⊛": r"\circledast", "∇": r"\nabla", "ζ": r"\zeta", "⊥": r"\perp",
    "₁": "_1", "≡": r"\equiv", "ŵ": r"\hat w", "â": r"\hat a", "ĝ": r"\hat g", "ĥ": r"\hat h",
    "ξ": r"\xi", "′": "'",
}
_TEXT = {"–": "--", "—": "---", "’": "'", "‘": "`", "“": "``", "”": "''", "é": r"\'e", "ô": r"\^o", "§": r"\S{}"}
_MATHY = set("^_{}=<>+*/|") | set(_MATH)
_DOTTED = re.compile("(.)\u0307")  # a letter with a combining dot above: σ̇ → \dot\sigma
_HATTED = re.compile("(.)\u0302")  # a letter with a combining hat (no precomposed form): b̂ → \hat b
_PATH = re.compile(r"(\(?)([\w-]+(?:/[\w.-]+)*\.(?:py|md|txt))(\)?)")  # a file name, maybe in parentheses


def prose(text: str) -> str:
    """Plain text with math notation → LaTeX: runs of math-looking words go into one $…$."""
    text = unicodedata.normalize("NFC", text)
    text = _DOTTED.sub(lambda m: f"\\dot{{{_MATH.get(m.group(1), m.group(1))}}}", text)
    text = _HATTED.sub(lambda m: f"\\hat{{{_MATH.get(m.group(1), m.group(1))}}}", text)
    out, run = [], []
    for word in text.split(" "):
        core, tail = _split_punctuation(word)
        path = _PATH.fullmatch(core)
        if path:  # a file of the project, e.g. (theory/classification.py)
            if run:
                out.append(_math(run))
                run = []
            name = _plain(path.group(2)).replace("/", r"/\allowbreak{}")  # a long path may break after a slash
            out.append(path.group(1) + rf"\texttt{{{name}}}" + path.group(3) + _plain(tail))
            continue
        if core and (any(c in _MATHY for c in core) or "\\dot" in core or "\\hat" in core):
            run.append(core)
            if tail:
                out.append(_math(run) + _plain(tail))
                run = []
            continue
        if run:
            out.append(_math(run))
            run = []
        out.append(_plain(word))
    if run:
        out.append(_math(run))
    return " ".join(part for part in out if part)


def _split_punctuation(word: str):
    stripped = word.rstrip(",.;:")
    return stripped, word[len(stripped):]


def _math(words: list) -> str:
    body = " ".join(words)
    for symbol, command in _MATH.items():
        body = body.replace(symbol, f"{command} ")
    body = body.replace("%", r"\%").replace("#", r"\#").replace("&", r"\&")
    _ascii_only(body)
    return f"${body.strip()}$"


def _plain(word: str) -> str:
    for special in ("\\", "&", "%", "$", "#", "_", "{", "}", "~", "^"):
        word = word.replace(special, {"\\": r"\textbackslash{}", "~": r"$\sim$",
                                      "^": r"\textasciicircum{}"}.get(special, "\\" + special))
    for symbol, replacement in _TEXT.items():
        word = word.replace(symbol, replacement)
    for symbol, command in _MATH.items():
        word = word.replace(symbol, f"${command}$")
    _ascii_only(word)
    return word


def _ascii_only(latex: str) -> None:
    strange = [c for c in latex if ord(c) > 127]
    if strange:
        raise ValueError(f"no LaTeX for the characters {strange!r} in {latex!r}")


def lines(expression) -> list:
    """LaTeX of ``expression`` broken into display lines: long sums split between terms, also inside a
    product (coefficient × [sum])."""
    whole = sp.latex(expression)
    if len(whole) <= WIDTH:
        return [whole]
    if isinstance(expression, sp.MatrixBase) and 1 in expression.shape:  # a long vector: (e_0, e_1, …)ᵀ
        rows = []
        for index, entry in enumerate(expression):
            part = lines(entry)
            part[-1] += r",\ " if index < len(expression) - 1 else r"\bigr]" + (r"^{\top}" if expression.cols == 1 else "")
            rows += part
        rows[0] = r"\bigl[" + rows[0]
        return rows
    if isinstance(expression, sp.Add):
        return _split_sum(list(sp.Add.make_args(expression)))
    if isinstance(expression, sp.Mul):
        sums = [factor for factor in expression.args if isinstance(factor, sp.Add)]
        if sums:
            rest = sp.Mul(*[factor for factor in expression.args if factor is not sums[0]])
            inner = _split_sum(list(sp.Add.make_args(sums[0])))
            inner[0], inner[-1] = r"\bigl[" + inner[0], inner[-1] + r"\bigr]"
            return [sp.latex(rest) + " " + inner[0]] + inner[1:]
    return [whole]


def _split_sum(terms: list) -> list:
    out, current = [], ""
    for term in terms:
        piece = sp.latex(term)
        joined = piece if not current else (f"{current} - {piece[1:]}" if piece.startswith("-") else f"{current} + {piece}")
        if current and len(joined) > WIDTH:
            out.append(current)
            current = piece if piece.startswith("-") else "+ " + piece
        else:
            current = joined
    out.append(current)
    return out


def _align(name: str, expressions: list) -> list:
    """An align block showing name = first = second …, each long line broken."""
    rows = []
    for index, expression in enumerate(expressions):
        broken = lines(expression)
        lead = (name or r"\phantom{=}") + " &= " if index == 0 else "&= "
        rows.append(lead + broken[0])
        rows.extend(r"&\quad " + line for line in broken[1:])
    return [r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]


def step_block(step, number: int, fragment: bool) -> list:
    expressions = [step.rhs] if step.lhs == step.rhs or sp.srepr(step.lhs) == sp.srepr(step.rhs) else [step.lhs, step.rhs]
    checked = f"{step.check.kind}: {step.check.how}"
    if fragment:
        header = [f"% Step {number}: {step.statement}", f"% Checked ({checked})"]
        if step.condition:
            header.append(f"% Valid for: {step.condition}")
        return header + _align(step.name, expressions)
    text = [rf"\paragraph{{Step {number}.}} {prose(step.statement)}."]
    if step.condition:
        text.append(rf"Valid for {prose(step.condition)}.")
    return text + _align(step.name, expressions) + [rf"{{\small\emph{{Checked {_kind(step.check.kind)}: "
                                                      rf"{prose(step.check.how)}.}}}}", ""]


def _kind(kind: str) -> str:
    return "exactly (symbolic identity)" if kind == "symbolic" else "numerically (spot-check)"


def document(claim: Claim, derivations: list, *, fragment: bool = False, result=None) -> str:
    """The LaTeX export of ``derivations`` (a list of Derivation) for ``claim``; ``result`` (a finished run)
    puts its verdict, seed, profile and the package versions in the header comment."""
    body = []
    for derivation in derivations:
        if fragment:
            body.append(f"% ---- {derivation.title}")
        else:
            body += [rf"\section{{{prose(derivation.title)}}}"]
            body += [rf"\noindent\emph{{Note:}} {prose(note)}\par" for note in derivation.notes]
        for number, step in enumerate(derivation.steps, start=1):
            body += step_block(step, number, fragment)
    if fragment:
        return "\n".join(_provenance_comment(claim, result) + ["% needs amsmath"] + body) + "\n"
    provenance = [rf"\item[\textbf{{{tag}}}] {prose(note)}" for tag, note in claim.provenance]
    head = [
        r"\documentclass[10pt]{article}", r"\usepackage[utf8]{inputenc}", r"\usepackage{amsmath,amssymb}",
        r"\usepackage[margin=2cm]{geometry}", r"\allowdisplaybreaks", r"\setlength{\parindent}{0pt}",
        rf"\title{{{prose(claim.id)}: {prose(claim.title)}}}", r"\author{generated by \texttt{python -m verify}}",
        r"\date{}", r"\begin{document}", r"\maketitle", r"\section*{Statement}", prose(claim.statement),
        r"\section*{Provenance}", r"\begin{description}", *provenance, r"\end{description}",
        r"Each step below is an equality that was checked before it was used: exactly, by a symbolic identity, "
        r"or, where marked, by a numeric spot-check at high precision.",
    ]
    return "\n".join(_provenance_comment(claim, result) + head + body + [r"\end{document}"]) + "\n"


def _provenance_comment(claim: Claim, result) -> list:
    """Where the export comes from: the claim, the run's verdict and settings, the versions of the packages."""
    from .report import versions  # noqa: PLC0415

    lines = [f"% {claim.id}: {claim.title}", "% generated by python -m verify (implicit-bias-verify "
             f"{versions()['implicit-bias-verify']}); every step below was checked before it was written"]
    if result is not None:
        settings = result.settings
        lines.append(f"% verdict: {result.verdict.upper()} (seed {settings.seed}, profile {settings.profile.name}, "
                     f"{len(result.cases)} cases, dps {settings.dps}, {settings.dtype})")
    lines.append("% " + ", ".join(f"{name} {version}" for name, version in versions().items()
                                  if name != "implicit-bias-verify"))
    return lines
