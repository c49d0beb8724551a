"""cleanlab's find_label_issues(filter_by="prune_by_noise_rate") in plain Python (cleanlab and numpy are not
installable here). Follows cleanlab 2.x: get_confident_thresholds, compute_confident_joint(calibrate=True),
calibrate_confident_joint, round_preserving_row_totals, _keep_at_least_n_per_class, _prune_by_count, and the
final rule that drops issues whose given label is the model's prediction.

Run: python3 reference/confident_learning.py  (prints the values the C# tests check for the example below).
"""


def np_round(x):
    # numpy rounds half to even, as Python's round does.
    return float(round(x))


def thresholds(pred_probs, labels, k):
    return [sum(p[j] for p, l in zip(pred_probs, labels) if l == j) / max(1, sum(1 for l in labels if l == j)) for j in range(k)]


def round_preserving_sum(floats):
    ints = [np_round(f) for f in floats]
    orig_sum = np_round(sum(floats))
    int_sum = np_round(sum(ints))
    while abs(int_sum - orig_sum) > 1e-6:
        diff = np_round(orig_sum - int_sum)
        increment = -1 if diff < 0 else 1
        changes = min(int(abs(diff)), len(floats))
        # np.argsort(floats - ints)[::-1][:changes], with a stable sort
        order = sorted(range(len(floats)), key=lambda i: floats[i] - ints[i])[::-1][:changes]
        for i in order:
            ints[i] += increment
        int_sum = np_round(sum(ints))
    return [int(v) for v in ints]


def confident_joint(pred_probs, labels, k, calibrate=True):
    t = thresholds(pred_probs, labels, k)
    cj = [[0] * k for _ in range(k)]
    for p, l in zip(pred_probs, labels):
        confident = [j for j in range(k) if p[j] >= t[j] - 1e-6]
        if not confident:
            continue
        if len(confident) > 1:
            guess = max(confident, key=lambda j: (p[j], -j))
        else:
            guess = max(range(k), key=lambda j: (p[j], -j))
        cj[l][guess] += 1
    if not calibrate:
        return cj
    counts = [sum(1 for l in labels if l == j) for j in range(k)]
    cal = [[cj[i][j] / sum(cj[i]) * counts[i] if sum(cj[i]) else 0.0 for j in range(k)] for i in range(k)]
    total = sum(map(sum, cal))
    cal = [[v / total * sum(counts) for v in row] for row in cal]
    return [round_preserving_sum(row) for row in cal]


def keep_at_least_n_per_class(m, n=1):
    k = len(m)
    m = [[float(v) for v in row] for row in m]
    diag = [m[i][i] for i in range(k)]
    new_diag = [max(d, n) for d in diag]
    diff = [new_diag[i] - diag[i] for i in range(k)]
    nonzero = [max(sum(1 for r in range(k) if m[r][c] != 0) - 1.0, 1.0) for c in range(k)]
    new = [[max(0.0, m[r][c] - diff[c] / nonzero[c]) for c in range(k)] for r in range(k)]
    for i in range(k):
        new[i][i] = new_diag[i]
    return [round_preserving_sum(row) for row in new]


def find_label_issues(pred_probs, labels, k):
    cj = confident_joint(pred_probs, labels, k)
    prune = keep_at_least_n_per_class([[cj[i][j] for i in range(k)] for j in range(k)])  # transpose: [true][given]
    mask = [False] * len(labels)
    for given in range(k):
        members = [i for i, l in enumerate(labels) if l == given]
        for true in range(k):
            if true == given or prune[true][given] <= 0:
                continue
            ranked = sorted(members, key=lambda i: (-(pred_probs[i][true] - pred_probs[i][given]), i))
            for i in ranked[:prune[true][given]]:
                mask[i] = True
    for i, p in enumerate(pred_probs):
        if max(range(k), key=lambda j: (p[j], -j)) == labels[i]:
            mask[i] = False
    return cj, prune, [i for i, f in enumerate(mask) if f]


# The example the C# tests use: 12 samples, 3 classes.
EXAMPLE_PROBS = [
    [0.9, 0.05, 0.05], [0.8, 0.1, 0.1], [0.7, 0.2, 0.1], [0.1, 0.85, 0.05],
    [0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.05, 0.15, 0.8],
    [0.1, 0.1, 0.8], [0.2, 0.1, 0.7], [0.3, 0.6, 0.1], [0.4, 0.4, 0.2],
]
EXAMPLE_LABELS = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 0]

if __name__ == "__main__":
    k = 3
    print("thresholds", thresholds(EXAMPLE_PROBS, EXAMPLE_LABELS, k))
    print("raw joint", confident_joint(EXAMPLE_PROBS, EXAMPLE_LABELS, k, calibrate=False))
    cj, prune, issues = find_label_issues(EXAMPLE_PROBS, EXAMPLE_LABELS, k)
    print("calibrated joint", cj)
    print("prune counts [true][given]", prune)
    print("issues", issues)
    print("round_preserving_sum", round_preserving_sum([1.4, 1.4, 1.2]), round_preserving_sum([0.5, 0.5, 1.5, 2.6]))
