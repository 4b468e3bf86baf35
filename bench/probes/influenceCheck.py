# One-off numpy check for bench/probes/influenceCheck.ts (helper E): python3 bench/probes/influenceCheck.py OUTDIR
# Recomputes DataInf with the explicit per-block matrices of issue 15 and compares with the scorer.
import json, numpy as np, sys
d = sys.argv[1]
m = json.load(open(d + '/meta.json'))
n, dims = m['n'], m['dims']; L = len(dims); D = sum(dims)
store = np.fromfile(d + '/store.bin', np.float32)            # block-major: [L][n*d_l]
again = np.fromfile(d + '/again.bin', np.float32).reshape(n, D)  # row-major: [n][L][d_l]
V = np.fromfile(d + '/v.bin', np.float32).reshape(-1, D)
G = np.zeros((n, D)); off = 0; o2 = 0
for dl in dims:
    G[:, o2:o2+dl] = store[off:off+n*dl].reshape(n, dl); off += n*dl; o2 += dl
assert m['ids'] == m['exampleIds']
rel = np.abs(G - again).max() / np.abs(again).max()
print('store vs recomputed rows (fp16 vs fp32), max rel err', rel)
# per-row best-match: each stored row's nearest recomputed row must be itself
cos = (G / np.linalg.norm(G, axis=1, keepdims=True)) @ (again / np.linalg.norm(again, axis=1, keepdims=True)).T
print('row alignment: argmax == index for all', bool((cos.argmax(1) == np.arange(n)).all()))
# DataInf with explicit matrices, as the issue writes it
worst = 0
for q, v in enumerate(V):
    I = np.zeros(n); o = 0
    for dl in dims:
        g = G[:, o:o+dl].astype(np.float64); vl = v[o:o+dl].astype(np.float64); o += dl
        lam = 0.1 * np.mean(np.sum(g*g, 1)) / dl
        lam = max(lam, 1e-12)
        M = np.zeros((dl, dl))
        for i in range(n):
            M += np.eye(dl) - np.outer(g[i], g[i]) / (lam + g[i] @ g[i])
        M /= n * lam
        I += -(vl @ M @ g.T)
    ts = np.array(m['scores'][q])
    err = np.abs(-I - ts).max() / np.abs(I).max()
    worst = max(worst, err)
    print(m['queries'][q], 'rel err', f'{err:.2e}', 'top', m['ids'][int(np.argmax(-I))])
print('worst rel err', worst)
