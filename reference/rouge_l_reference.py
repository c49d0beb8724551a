"""ROUGE-L reference values for tests/Feynman.Tests/Synthesis/RougeLTests.cs.

rouge_score (google-research/rouge) is not installable here, so this file restates, literally, the parts
of it that `RougeScorer(["rougeL"], use_stemmer=False).score(target, prediction)["rougeL"]` runs:
rouge_score/tokenize.py `tokenize(text, stemmer=None)`, rouge_scorer.py `_lcs_table` and `_score_lcs`, and
scoring.py `fmeasure`. Pure Python; run with any python3. Writes reference/fixtures/synthesis/rouge_l.json.
"""
import json
import os
import random
import re

# --- rouge_score/tokenize.py -------------------------------------------------------------------------------
NON_ALPHANUM_PATTERN = r"[^a-z0-9]+"
NON_ALPHANUM_RE = re.compile(NON_ALPHANUM_PATTERN)
SPACES_PATTERN = r"\s+"
SPACES_RE = re.compile(SPACES_PATTERN)
VALID_TOKEN_PATTERN = r"^[a-z0-9]+$"
VALID_TOKEN_RE = re.compile(VALID_TOKEN_PATTERN)


def tokenize(text, stemmer=None):
    # Convert everything to lowercase.
    text = text.lower()
    # Replace any non-alpha-numeric characters with spaces.
    text = NON_ALPHANUM_RE.sub(" ", text)
    tokens = SPACES_RE.split(text)
    if stemmer:
        tokens = [stemmer.stem(x) if len(x) > 3 else x for x in tokens]
    # One final check to drop any empty or invalid tokens.
    tokens = [x for x in tokens if VALID_TOKEN_RE.match(x)]
    return tokens


# --- rouge_score/scoring.py --------------------------------------------------------------------------------
def fmeasure(precision, recall):
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    else:
        return 0.0


# --- rouge_score/rouge_scorer.py ---------------------------------------------------------------------------
def _lcs_table(ref, can):
    rows = len(ref)
    cols = len(can)
    lcs_table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            if ref[i - 1] == can[j - 1]:
                lcs_table[i][j] = lcs_table[i - 1][j - 1] + 1
            else:
                lcs_table[i][j] = max(lcs_table[i - 1][j], lcs_table[i][j - 1])
    return lcs_table


def _score_lcs(target_tokens, prediction_tokens):
    if not target_tokens or not prediction_tokens:
        return (0, 0, 0)
    lcs_table = _lcs_table(target_tokens, prediction_tokens)
    lcs_length = lcs_table[-1][-1]
    precision = lcs_length / len(prediction_tokens)
    recall = lcs_length / len(target_tokens)
    return (precision, recall, fmeasure(precision, recall))


def score(target, prediction):
    t = tokenize(target)
    p = tokenize(prediction)
    precision, recall, f = _score_lcs(t, p)
    return t, p, precision, recall, f


# --- cases -------------------------------------------------------------------------------------------------
TRICKY = [
    ("identical", "Write a poem about the sea.", "Write a poem about the sea."),
    ("case", "WRITE A POEM", "write a poem"),
    ("punctuation", "don't stop-believing, ok?!", "dont stop believing ok"),
    ("digits", "Add 2 and 3, then 23.5", "add 23 5 and 2"),
    ("empty_target", "", "anything here"),
    ("empty_prediction", "anything here", ""),
    ("both_empty", "", ""),
    ("only_punctuation", "?!... ---", "?!"),
    ("non_ascii_only", "写一首关于大海的诗", "写一首关于大海的诗"),
    ("non_ascii_mixed", "Traduisez « café crème » en anglais", "translate cafe creme into English"),
    ("accents", "naïve résumé", "naive resume"),
    ("dotted_capital_i", "İstanbul İS big", "i stanbul is big"),
    ("kelvin_sign", "\u212Aelvin scale", "kelvin scale"),
    ("fullwidth", "ＡＢＣ 123 ｄｅｆ", "abc 123 def"),
    ("repeated_tokens", "a a a b a a", "a b a b a a a"),
    ("repeated_long", "the the the cat the the sat the", "the cat sat the the the the"),
    ("no_overlap", "alpha beta gamma", "delta epsilon zeta"),
    ("whitespace", "  tabs\tand\nnewlines  ", "tabs and newlines"),
    ("underscore", "snake_case_name", "snake case name"),
    ("one_token", "hello", "hello world"),
    ("greek", "Σίσυφος ΟΔΟΣ", "σίσυφος οδος"),
    ("emoji", "Write 🙂 a joke 🎉", "write a joke"),
    ("swap_order", "a b c d e f g", "g f e d c b a"),
]

VOCAB = ["the", "a", "write", "list", "explain", "why", "how", "poem", "story", "code", "data", "cat", "dog",
         "sea", "3", "42", "x", "is", "of", "to", "in", "and", "Given", "Find", "sentence", "word"]
PUNCT = [" ", " ", " ", ", ", ". ", "? ", "-", "'", " (", ") ", "\n", " & "]


def random_text(rng, n):
    out = []
    for _ in range(n):
        w = rng.choice(VOCAB)
        if rng.random() < 0.2:
            w = w.upper()
        elif rng.random() < 0.2:
            w = w.capitalize()
        out.append(w)
        out.append(rng.choice(PUNCT))
    return "".join(out)


def main():
    rng = random.Random(4)
    pairs = list(TRICKY)
    for i in range(150):
        pairs.append((f"random_{i}", random_text(rng, rng.randint(0, 30)), random_text(rng, rng.randint(0, 30))))
    # Longer than one and two 64-bit words, to cover the multi-word bit-parallel LCS.
    for i in range(30):
        pairs.append((f"long_{i}", random_text(rng, rng.randint(50, 200)), random_text(rng, rng.randint(50, 200))))
    cases = []
    for name, target, prediction in pairs:
        t, p, precision, recall, f = score(target, prediction)
        cases.append({"name": name, "params": {
            "target": target, "prediction": prediction, "target_tokens": t, "prediction_tokens": p,
            "precision": float(precision), "recall": float(recall), "fmeasure": float(f)}})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "synthesis", "rouge_l.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"cases": cases}, f, ensure_ascii=False, indent=0)
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
