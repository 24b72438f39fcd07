"""LaTeX export of a claim's derivations: a standalone document, or only the ``align`` blocks.

Every displayed formula is ``sympy.latex`` of the same SymPy objects the checks verified (a step's
left and right sides), annotated with how the step was checked; a few symbols are shown in the
statement's notation (``NOTATION``). Prose (statements, provenance, step descriptions, notes) is plain
text with a little math notation; ``prose`` converts it: runs of words that look like mathematics go into
one ``$…$`` (with the single letters, numbers and function names around them), Unicode symbols become
LaTeX commands, sub- and superscripts are grouped (``e^(2πi/12)``, ``U_11``), a star after a symbol is
a superscript (``σ_j*`` → ``\\sigma_j^*``), function names are upright (``\\log``,
``\\operatorname{atan}``), SymPy's own text (``2*sigma**2``) is rewritten as mathematics, and code
identifiers (``expand_log``) and file names are typewriter text, so pdflatex compiles it without extra
packages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import partial

import sympy as sp

from theory import classification, theorem2

from .claim import Claim

WIDTH = 150  # characters of LaTeX source per displayed line before a long sum is broken

# Symbols whose SymPy name is what a user types (``--bound`` takes ``sigma_j``) or a short stand-in,
# shown in the notation of the claim's statement.
NOTATION = {theorem2.sigma_j: r"\sigma_j^*", classification.norm2: r"|\sigma|^2"}
_latex = partial(sp.latex, symbol_names=NOTATION)

# Unicode → LaTeX math; anything else non-ASCII in prose is an error (caught by the compile tests).
_MATH = {
    "σ": r"\sigma", "θ": r"\theta", "γ": r"\gamma", "η": r"\eta", "ω": r"\omega", "φ": r"\varphi", "ρ": r"\rho",
    "α": r"\alpha", "ℓ": r"\ell", "π": r"\pi", "λ": r"\lambda", "Φ": r"\Phi", "Λ": r"\Lambda", "Σ": r"\Sigma",
    "∏": r"\prod", "∫": r"\int", "≤": r"\le", "≥": r"\ge", "⇔": r"\Leftrightarrow", "⇒": r"\Rightarrow",
    "→": r"\to", "·": r"\cdot", "×": r"\times", "−": "-", "⋯": r"\cdots", "…": r"\dots", "∞": r"\infty",
    "≈": r"\approx", "≠": r"\ne", "∈": r"\in", "ẇ": r"\dot w", "ε": r"\varepsilon", "½": r"\tfrac12",
    "∂": r"\partial", "∗": r"\ast", "Γ": r"\Gamma", "δ": r"\delta", "Δ": r"\Delta", "±": r"\pm", "τ": r"\tau",
    "μ": r"\mu", "β": r"\beta", "‖": r"\|", "⟨": r"\langle", "⟩": r"\rangle", "⊛": r"\circledast",
    "∇": r"\nabla", "ζ": r"\zeta", "⊥": r"\perp", "≡": r"\equiv", "ŵ": r"\hat w", "â": r"\hat a",
    "ĝ": r"\hat g", "ĥ": r"\hat h", "ξ": r"\xi", "′": "'", "ℝ": r"\mathbb{R}", "ℚ": r"\mathbb{Q}",
    "∼": r"\sim", "ψ": r"\psi", "χ": r"\chi", "√": "√",  # √ is kept for _roots, which needs the radicand
}
_SCRIPTS = {"⁻¹": "^{-1}", "²": "^2", "³": "^3", "¹": "^1", "ᵀ": r"^\top ", "₀": "_0", "₁": "_1",
            "₂": "_2"}
_TEXT = {"...": r"\dots{}", "–": "--", "—": "---", "’": "'", "‘": "`", "“": "``", "”": "''", "é": r"\'e",
         "ô": r"\^o", "§": r"\S{}"}
_MATHY = set("^_{}=<>+*/|~") | set(_MATH) | set(_SCRIPTS)
_OPEN_END = set("=<>+-/^_~([≤≥≈≠∈→−·×⇔⇒≡∼")  # a math word ending so is continued by the next word
_OPEN_START = set("=<>+-*/^_~≤≥≈≠∈→−·×⇔⇒≡")  # a math word starting so continues the one before
# Function names in mathematics: LaTeX's own operators, and the others upright through \operatorname; the
# ones that are not also English words start a formula on their own (log p_i, tr M).
_OPERATORS = frozenset("log ln exp sin cos tan sinh cosh tanh arcsin arccos arctan det min max lim sup inf".split())
_NAMED = frozenset("atan asinh acosh tr diag sign mean conj relu rank span row angle binom erfc xor lr".split())
_FUNCTIONS = (_OPERATORS | _NAMED) - frozenset("sup inf mean relu rank span row angle xor lr".split())
_UPRIGHT = frozenset("lhs rhs".split())
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η",
          "theta": "θ", "lambda": "λ", "mu": "μ", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ",
          "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω"}  # names in SymPy's text, and psi(z) in prose
_STOPWORDS = frozenset("""a all an and any are as at be both but by do each for from has he if iff in is it its no
                       nor not of on one or per so than that the then this to two up us via was we with""".split())

_DOTTED = re.compile("(.)\u0307")  # a letter with a combining dot above: σ̇ → \dot\sigma
_HATTED = re.compile("(.)\u0302")  # a letter with a combining hat (no precomposed form): b̂ → \hat b
_PATH = re.compile(r"(\(?)([\w-]+(?:/[\w.-]+)*\.(?:py|md|txt))(\)?)")  # a file name, maybe in parentheses
_IDENTIFIER = re.compile(r"\(?([A-Za-z]{2,}(?:_[A-Za-z]{2,})+)\)?")  # code, e.g. expand_log: not a subscript
_LABEL = re.compile(r"\([a-h]\)")  # an item label, (a)
_NUMBER = re.compile(r"[-−]?\d+(?:\.\d+)?%?")
_WORDS_WITH_SLASH = re.compile(r"\(?[A-Za-z]{3,}/[A-Za-z]{3,}\)?")  # exponential/logistic (but log/atan is math)
# a word with a symbol in it: Λ-quasi-homogeneous, minimum-ℓ2
_SYMBOL_HYPHEN = re.compile(r"[^\x00-\x7f]-[a-z]{3,}(?:-[a-z]+)*|[a-z]{3,}-ℓ[12]")
_ANGLE = re.compile(r"<(?=\S)([^<>]*?)(?<=\S)>")  # <u, x> is an inner product, not two comparisons
_TAIL = re.compile(r"(?:'s\)?)?[,.;:]*$")
_ATOM = r"(?:\\[A-Za-z]+|[A-Za-z])(?:_(?:\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z0-9]))?"  # a symbol, maybe subscripted
_STARRED_POWER = re.compile(rf"({_ATOM})\*(?=\^)")  # σ*^{k} → {\sigma^*}^{k}
_STARRED = re.compile(rf"({_ATOM})\*")  # σ_j* → \sigma_j^*; a star between spaces is a convolution
_WORD = re.compile(r"_(?P<text>[a-z]+(?:-[a-z]+)+)|(?<![\\A-Za-z])(?P<word>[A-Za-z]+)(?![A-Za-z])")
_RADICAND = re.compile(r"\d+|(?:\\[A-Za-z]+ ?|[A-Za-z])(?:_\{[^{}]*\}|_[A-Za-z0-9])?")
_SUBSCRIPT = re.compile(r"\\[A-Za-z]+(?:\{[^{}]*\})?(?:_[A-Za-z0-9])?|[A-Za-z0-9],[A-Za-z0-9](?![A-Za-z0-9])"
                        r"|\d+|[a-z]+|.", re.S)
_SUPERSCRIPT = re.compile(r"\\[A-Za-z]+|[-−]?\d+|[A-Z]+|.", re.S)


def prose(text: str) -> str:
    """Plain text with math notation → LaTeX: runs of math-looking words go into one $…$."""
    text = unicodedata.normalize("NFC", text)
    text = _DOTTED.sub(lambda m: rf"\dot{_MATH.get(m.group(1), ' ' + m.group(1))}", text)
    text = _HATTED.sub(lambda m: rf"\hat{_MATH.get(m.group(1), ' ' + m.group(1))}", text)
    text = _ANGLE.sub("⟨\\1⟩", text)
    out, run = [], []
    for word, kind in _classified([_Word.split(word) for word in text.split(" ") if word]):
        if kind == "math":
            run.append(word.core)
            if word.tail:
                out.append(_math(run) + _plain(word.tail))
                run = []
            continue
        if run:
            out.append(_formula(run))
            run = []
        out.append(_code(word.core) + _plain(word.tail) if kind == "code" else _plain(word.core + word.tail))
    if run:
        out.append(_formula(run))
    return " ".join(out)


def _formula(words: list) -> str:
    """A run of math words ended by a text word: a comma kept inside for an open bracket goes back out."""
    tail = _TAIL.search(words[-1]).group(0)
    return _math(words[:-1] + [words[-1][: len(words[-1]) - len(tail)]]) + _plain(tail) if tail else _math(words)


@dataclass(frozen=True)
class _Word:
    core: str
    tail: str  # punctuation (and a possessive 's) that ends a run of mathematics

    @classmethod
    def split(cls, word: str):
        tail = _TAIL.search(word).group(0)
        core = word[: len(word) - len(tail)]
        return cls(core, tail) if core else cls(word, "")

    @property
    def bare(self) -> str:
        return _bare(self.core)


def _bare(core: str) -> str:
    """The word without brackets and primes: (N → N, A' → A."""
    return core.strip("()[]'′")


def _word_kind(core: str) -> str:
    """math, text or code; or letter, number, article, function, short: words whose kind depends on the
    words around them."""
    bare = _bare(core)
    if _PATH.fullmatch(core) or _IDENTIFIER.fullmatch(core):
        return "code"
    if _LABEL.fullmatch(core) or _SYMBOL_HYPHEN.fullmatch(core):
        return "text"
    if _WORDS_WITH_SLASH.fullmatch(core) and not set(bare.split("/")) <= _FUNCTIONS:
        return "text"
    if core == "-" or any(c in _MATHY for c in core) or "\\" in core or re.search(r"[A-Za-z]['′]*\(", core):
        return "math"
    if bare in ("a", "A"):
        return "article"
    if bare.lower() in _STOPWORDS:
        return "text"
    if len(bare) == 1 and bare.isalpha():
        return "letter"
    if _NUMBER.fullmatch(bare):
        return "number"
    if bare in _FUNCTIONS:
        return "function"
    letters = re.findall("[A-Za-z]+", core)
    if letters and all(len(run) <= 2 for run in letters) and re.fullmatch(r"[A-Za-z0-9()\[\]]+", core):
        return "short"  # dt, uv, f))(r: math next to math
    return "text"


def _classified(words: list) -> list:
    """(word, kind) for each word, with math, text or code for kind: numbers, articles, function names
    and short words join the mathematics next to them; a comma inside an open bracket stays in the formula."""
    kinds = [_word_kind(word.core) for word in words]
    run = ""  # the formula being built
    for index, word in enumerate(words):
        before = words[index - 1] if index else None
        after = words[index + 1] if index + 1 < len(words) else None
        continues = bool(run) and kinds[index - 1] == "math"
        after_operator = continues and before.core[-1] in _OPEN_END
        before_operator = after is not None and kinds[index + 1] == "math" and after.core[0] in _OPEN_START
        before_math = after is not None and kinds[index + 1] in ("math", "letter", "number")
        kind = kinds[index]
        if kind == "number":
            kind = "math" if continues or before_operator else "text"
        elif kind == "function":
            kind = "math" if after_operator or before_math else "text"
        elif kind == "article":  # "a": the article, or the letter a in "(a − 1)^r"; "A": a matrix mid-sentence
            letter = (before_operator or after_operator
                      or (continues and (word.core != word.bare or before.core == before.bare == before.core[:1]))
                      or (after is not None and len(after.bare) == 1 and index + 2 < len(words)
                          and words[index + 2].core[0] in _OPEN_START))  # (b, a); r a; a p − ½(b² p)′
            if word.bare == "A":
                letter = letter or (before is not None and not before.tail.endswith((".", ":")))
            kind = "math" if letter else "text"
        elif kind == "letter":  # a symbol, except an author's initial: (Wu, Ma & E 2018)
            kind = "text" if after is not None and re.fullmatch(r"(19|20)\d\d", after.bare) else "math"
        elif kind == "short":
            kind = "math" if continues or before_operator else "text"
        elif kind == "text":
            short = word.bare.isascii() and word.bare.isalpha() and len(word.bare) <= 5
            kind = "math" if short and after_operator and word.bare.lower() not in _STOPWORDS else "text"
        kinds[index] = kind
        run = run + " " + word.core if kind == "math" else ""
        if kind == "math" and word.tail:
            if word.tail in (",", ";") and _depth(run) > 0:
                words[index] = _Word(word.core + word.tail, "")  # (1, p; x): one formula
            else:
                run = ""
    return list(zip(words, kinds))


def _math(words: list) -> str:
    """One formula from its words, in the order that needs: SymPy's text and literal braces first (they
    change what the rest sees), then Unicode to commands, stars, names, scripts and roots."""
    body = " ".join(_from_sympy(word) if _is_sympy(word) else word for word in words)
    body = _literal_braces(body)
    # e^{−t} (N = 1), N(0, 1/n) n × n: the space the text had (␣, a LaTeX space), not a product
    body = re.sub(r"(?<=[\w)\]}]) (?=\()|(?<=[)\]]) (?=[^\W\d_])", "␣", body)
    body = re.sub(r"(?<![A-Za-z])2F1(?=\()", r"{}_2F_1", body)  # the hypergeometric function ₂F₁
    body = re.sub(r"ℓ([12])\b", r"ℓ_\1", body)  # the norms ℓ1, ℓ2
    body = re.sub(r"(?<=[A-Za-z])½", "_{1/2}", body)  # t½, the half time
    body = re.sub(r"(?<=[A-Za-z])⊥", "^⊥", body)  # P⊥, a projection
    body = re.sub(r"(?<=[A-Za-z])∞", "_∞", body)  # w∞, a limit
    body = re.sub(r"∈ R\b", "∈ ℝ", body)
    body = re.sub(r"(?<![A-Za-z])Q\(e\^", "ℚ(e^", body)  # a cyclotomic field
    body = body.replace("...", "…").replace("||", "‖").replace(" | ", r" \mid ").replace("~", "∼")
    for symbol, script in _SCRIPTS.items():
        body = body.replace(symbol, script)
    body = "".join(_command(body, index) for index in range(len(body)))
    body = re.sub(r"(?<= )\*(?= )", r"\\ast", body)  # v * w: a convolution
    body = _STARRED.sub(r"\1^*", _STARRED_POWER.sub(r"{\1^*}", body))
    body = _WORD.sub(_word, body)
    body = _roots(_scripts(body))
    body = body.replace("%", r"\%").replace("#", r"\#").replace("&", r"\&")
    body = body.replace("⦃", r"\{").replace("⦄", r"\}").replace("␣", r"\ ")
    _ascii_only(body)
    return f"${body.strip()}$"


def _is_sympy(word: str) -> bool:
    """SymPy's own text (a printed expression), e.g. -1/(2*sigma^**w**2) or mu/zeta**2."""
    return word.isascii() and ("**" in word or "^*" in word
                               or re.search(r"[A-Za-z]{2}\*|\*[A-Za-z]{2}", word) is not None)


def _from_sympy(word: str) -> str:
    """SymPy's text as prose math: ** is a power, * a product, sigma^* a starred symbol, names Greek."""
    word = re.sub(r"(\w)\^\*", "\\1★", word)
    word = word.replace("**", "^")
    word = re.sub(r"(?<=\d)\*(?=\d)", "·", word).replace("*", " ").replace("★", "*")
    word = re.sub(r"(?<![A-Za-z])sqrt\(", "√(", word)
    return re.sub(r"(?<![A-Za-z])(" + "|".join(_GREEK) + r")(?![A-Za-z])", lambda m: _GREEK[m.group(1)], word)


def _literal_braces(text: str) -> str:
    """Braces after ^ or _ group; any others are the set braces of the text (#{…}): marked ⦃ ⦄ for \\{ \\}."""
    out, stack = [], []
    for index, char in enumerate(text):
        if char == "{":
            stack.append(index > 0 and text[index - 1] in "^_")
            out.append("{" if stack[-1] else "⦃")
        elif char == "}" and stack:
            out.append("}" if stack.pop() else "⦄")
        else:
            out.append(char)
    return "".join(out)


def _command(text: str, index: int) -> str:
    """The LaTeX for the character at ``index``: a command gets a space when a letter follows it."""
    char = text[index]
    command = _MATH.get(char, char)
    following = text[index + 1: index + 2]
    if command != char and command[-1].isalpha() and following.isascii() and following.isalpha():
        command += " "
    return command


def _word(match) -> str:
    """An ASCII word in mathematics: a function name upright, a Greek name as its letter, prose as text."""
    if match.group("text"):
        return rf"_\text{{{match.group('text')}}}"
    word = match.group("word")
    following = match.string[match.end(): match.end() + 1]
    space = " " if following.isalpha() else ""
    applied = following == "("
    if word in _OPERATORS:
        return "\\" + word + space
    if word in _GREEK:
        return _MATH[_GREEK[word]] + space
    if word in _UPRIGHT:
        return rf"\mathrm{{{word}}}"
    if word in _NAMED or (len(word) >= 3 and word[1:].islower() and applied):  # also Gamma(k), cancel(…)
        return rf"\operatorname{{{word}}}"
    if len(word) >= 4 and word.isupper():
        return rf"\mathrm{{{word}}}"  # a name, e.g. CLOCK
    if len(word) >= 4 and word.islower():
        return rf"\text{{{word}}}"
    return word


def _scripts(text: str) -> str:
    """Sub- and superscripts as groups: x^(a+b) → x^{a+b}, N^-4 → N^{-4}, U_11 → U_{11}, w_j,1 → w_{j,1},
    p_fly → p_{fly} (but x_iy_i is x_i y_i), β_\\ell_1 → β_{\\ell_1}."""
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char not in "^_" or index + 1 == len(text):
            out.append(char)
            index += 1
            continue
        start = index + 1
        if text[start] in "({":
            end = _closing(text, start)
            if end > 0:
                out.append(char + "{" + _scripts(text[start + 1: end]) + "}")
                index = end + 1
                continue
        token = (_SUBSCRIPT if char == "_" else _SUPERSCRIPT).match(text, start).group(0)
        if char == "_" and token.isalpha() and token.islower() and len(token) > 1 \
                and text[start + len(token): start + len(token) + 1] in ("_", "^"):
            token = token[:-1]  # the last letter is the next symbol, with its own script
        if char == "_" and token.isalpha() and token.isupper():
            token = token[0]
        out.append(char + (token if len(token) == 1 else "{" + token + "}"))
        index = start + len(token)
    return "".join(out)


def _roots(text: str) -> str:
    """√(…) and √x as \\sqrt{…}."""
    out, index = [], 0
    while (root := text.find("√", index)) >= 0:
        out.append(text[index:root])
        start = root + 1
        end = _closing(text, start) if text.startswith("(", start) else -1
        radicand = _RADICAND.match(text, start)
        if end > 0:
            out.append(r"\sqrt{" + text[start + 1: end] + "}")
            index = end + 1
        elif radicand:
            out.append(r"\sqrt{" + radicand.group(0).strip() + "}")
            index = radicand.end()
        else:
            out.append(r"\surd ")
            index = start
    return "".join(out) + text[index:]


def _depth(text: str) -> int:
    """How many brackets are open at the end of ``text``."""
    return sum(text.count(c) for c in "([⟨") - sum(text.count(c) for c in ")]⟩")


def _closing(text: str, start: int) -> int:
    """The index of the bracket closing the one at ``start``, or -1."""
    opening = text[start]
    closing = {"(": ")", "{": "}", "[": "]"}[opening]
    depth = 0
    for index in range(start, len(text)):
        depth += (text[index] == opening) - (text[index] == closing)
        if depth == 0:
            return index
    return -1


def _code(core: str) -> str:
    """A file name or a code identifier, in typewriter type (a long path may break after a slash)."""
    match = _PATH.fullmatch(core) or _IDENTIFIER.fullmatch(core)
    opening, closing = ("(" if core.startswith("(") else ""), (")" if core.endswith(")") else "")
    name = match.group(2) if match.re is _PATH else match.group(1)
    name = _plain(name).replace("/", r"/\allowbreak{}").replace(r"\_", r"\char95{}")  # a real _, copied as _
    return opening + rf"\texttt{{{name}}}" + closing


def _plain(word: str) -> str:
    for special in ("\\", "&", "%", "$", "#", "_", "{", "}", "~", "^"):
        word = word.replace(special, {"\\": r"\textbackslash{}", "~": r"$\sim$",
                                      "^": r"\textasciicircum{}"}.get(special, "\\" + special))
    word = re.sub(r"(?<![A-Za-z])([A-Za-z])(?=-[A-Za-z])|(?<=[A-Za-z]-)([A-Za-z])(?![A-Za-z])",
                  lambda m: f"${m.group(0)}$", word)  # depth-N, k-sparse: the letter is a symbol
    word = re.sub(r"^'(?!s\b)(?=\w)", "`", word)  # an opening quote (not a possessive 's)
    word = re.sub(r"ℓ([12])", r"$\\ell_\1$", word)
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
    product (coefficient × [sum]). A bracket that spans lines is closed on each line by an invisible one
    (``\\left[ … \\right.`` … ``\\left. … \\right]``), so every line is balanced on its own."""
    whole = _latex(expression)
    if len(whole) <= WIDTH:
        return [whole]
    if isinstance(expression, sp.MatrixBase) and 1 in expression.shape:  # a long vector: [e_0, e_1, …]ᵀ
        rows = []
        for index, entry in enumerate(expression):
            part = lines(entry)
            part[-1] += r",\ " if index < len(expression) - 1 else ""
            rows += part
        return _bracketed(rows, "[", "]" + (r"^{\top}" if expression.cols == 1 else ""))
    if isinstance(expression, sp.Add):
        return _split_sum(list(sp.Add.make_args(expression)))
    if isinstance(expression, sp.Mul):
        sums = [factor for factor in expression.args if isinstance(factor, sp.Add)]
        if sums:
            rest = sp.Mul(*[factor for factor in expression.args if factor is not sums[0]])
            inner = _bracketed(_split_sum(list(sp.Add.make_args(sums[0]))), "[", "]")
            return [_latex(rest) + " " + inner[0]] + inner[1:]
    return [whole]


def _bracketed(rows: list, opening: str, closing: str) -> list:
    """``rows`` inside one pair of brackets, each row balanced: the brackets are sized per line."""
    if len(rows) == 1:
        return [rf"\left{opening}{rows[0]}\right{closing}"]
    middle = [rf"\left.{row}\right." for row in rows[1:-1]]
    return [rf"\left{opening}{rows[0]}\right.", *middle, rf"\left.{rows[-1]}\right{closing}"]


def _split_sum(terms: list) -> list:
    out, current = [], ""
    for term in terms:
        piece = _latex(term)
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
        r"\setlength{\emergencystretch}{2em}",  # prose with long inline formulas: stretch, never overfull
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
