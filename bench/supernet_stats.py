"""Statistics shared by bench_supernet.sh's reports (stdlib only)."""
import itertools

# Two-sided 95 % Student t quantiles by degrees of freedom (1.96 beyond the table).
T975 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26, 10: 2.23,
        11: 2.20, 12: 2.18, 13: 2.16, 14: 2.14, 15: 2.13, 16: 2.12, 17: 2.11, 18: 2.10, 19: 2.09,
        20: 2.09, 21: 2.08, 22: 2.07, 23: 2.07, 24: 2.06, 25: 2.06, 26: 2.06, 27: 2.05, 28: 2.05,
        29: 2.05, 30: 2.04}


def t975(df):
    """The two-sided 95 % t quantile: the table to 30 degrees of freedom, then the largest
    tabulated value at or below df's (2.02 at 40, 2.00 at 60, 1.98 at 120), 1.96 beyond."""
    df = max(int(df), 1)
    if df in T975:
        return T975[df]
    return 2.04 if df < 40 else 2.02 if df < 60 else 2.00 if df < 120 else 1.98 if df < 1000 else 1.96


def tau_b(x, y):
    """Kendall tau-b (as scipy.stats.kendalltau): ties reduce the denominator."""
    c = d = tx = ty = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        sx = (x[i] > x[j]) - (x[i] < x[j])
        sy = (y[i] > y[j]) - (y[i] < y[j])
        if sx == 0 and sy == 0:
            continue
        if sx == 0:
            tx += 1
        elif sy == 0:
            ty += 1
        elif sx == sy:
            c += 1
        else:
            d += 1
    den = ((c + d + tx) * (c + d + ty)) ** 0.5
    return (c - d) / den if den else float("nan")


def partial_tau_b(x, y, z):
    """Kendall tau-b of x and y once a least-squares line in z is taken out of each: ~0 means
    x knows nothing about y beyond what z (a subnet's log latency, say) already tells."""
    mz = sum(z) / len(z)

    def resid(v):
        mv = sum(v) / len(v)
        b = sum((a - mz) * (c - mv) for a, c in zip(z, v)) / sum((a - mz) ** 2 for a in z)
        return [c - mv - b * (a - mz) for a, c in zip(z, v)]

    return tau_b(resid(x), resid(y))


def pooled_sd(groups):
    """The standard deviation pooled over groups (each group one subnet's accuracies over
    seeds) and its degrees of freedom, sum(n_i - 1); groups of one add nothing. (0, 0) when
    no group has two values."""
    ss = sum(sum((a - sum(g) / len(g)) ** 2 for a in g) for g in groups if len(g) > 1)
    df = sum(len(g) - 1 for g in groups if len(g) > 1)
    return ((ss / df) ** 0.5, df) if df else (0.0, 0)
