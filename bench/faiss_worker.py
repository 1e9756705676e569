"""The FAISS side of `npm run bench -- faiss` (bench/faiss.ts): one measurement per process.

    python faiss_worker.py '<task JSON>'

prints one JSON line with the figures, as bench/scale-worker.ts does for Plotline. Vectors come
from the same raw float32 files (row-major n x dims) and the queries from the same q x dims file;
results are written back as raw int32 ids and float32 scores so the Node side can compare them
with Plotline's. Runs on one thread (OMP_NUM_THREADS=1 and faiss.omp_set_num_threads(1)).
"""

import json
import os
import resource
import sys
import time

os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import faiss  # noqa: E402

faiss.omp_set_num_threads(1)

# Rows read from the data file per step: a bounded buffer, so resident memory is the index's.
CHUNK = 65536


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def chunks(task):
    """The data set in row chunks, read from the file (not mapped, so they leave no resident pages)."""
    n, dims = task["n"], task["dims"]
    with open(task["data"], "rb") as f:
        for start in range(0, n, CHUNK):
            rows = min(CHUNK, n - start)
            x = np.fromfile(f, dtype=np.float32, count=rows * dims)
            if x.size != rows * dims:
                raise SystemExit(f"{task['data']}: short file at row {start}")
            yield start, x.reshape(rows, dims)


def all_vectors(task):
    x = np.fromfile(task["data"], dtype=np.float32, count=task["n"] * task["dims"])
    return x.reshape(task["n"], task["dims"])


def queries(task):
    q = np.fromfile(task["queries"], dtype=np.float32).reshape(-1, task["dims"])
    return q[: task["maxQueries"]] if task.get("maxQueries") else q


def id_map(task):
    """Row position -> the id Plotline gives it (the ids file, else 1..n)."""
    if task.get("ids"):
        return np.fromfile(task["ids"], dtype=np.int32, count=task["n"])
    return np.arange(1, task["n"] + 1, dtype=np.int32)


def percentile(samples, p):
    """Nearest rank, as bench/lib.ts."""
    s = sorted(samples)
    rank = min(len(s) - 1, max(0, -(-p * len(s) // 100) - 1))
    return s[int(rank)]


def timed(index, q, k, warmup=10):
    """One query per search call (as a server answers them), each timed; returns ms samples, scores, row labels."""
    for i in range(min(warmup, len(q))):
        index.search(q[i : i + 1], k)
    samples = []
    # CPU time too: on a shared machine, wall time includes waiting for a core; CPU time does not.
    cpu = []
    scores = np.empty((len(q), k), dtype=np.float32)
    labels = np.empty((len(q), k), dtype=np.int64)
    for i in range(len(q)):
        c = time.process_time()
        t = time.perf_counter()
        d, l = index.search(q[i : i + 1], k)
        samples.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        scores[i], labels[i] = d[0], l[0]
    return (samples, cpu), scores, labels


def recall10(task, ids, labels):
    truth = np.fromfile(task["truth"], dtype=np.int32).reshape(-1, 10)[: len(labels)]
    got = np.where(labels[:, :10] >= 0, ids[np.clip(labels[:, :10], 0, None)], -1)
    return float(sum(len(set(a) & set(b)) for a, b in zip(got.tolist(), truth.tolist())) / (10 * len(labels)))


def figures(timings):
    samples, cpu = timings
    return {"p50": percentile(samples, 50), "p99": percentile(samples, 99), "cpuP50": percentile(cpu, 50), "queries": len(samples)}


def flat(task):
    """IndexFlatIP (the first seed's index): add time, then every k's latencies; hits written for the comparison."""
    index = faiss.IndexFlatIP(task["dims"])
    t = time.perf_counter()
    for _, x in chunks(task):
        index.add(x)
    add_seconds = time.perf_counter() - t
    q = queries(task)
    ids = id_map(task)
    by_k = {}
    for k in task["params"]["ks"]:
        timings, scores, labels = timed(index, q, k)
        out = task["params"].get("out")
        if out:
            ids_of = np.where(labels >= 0, ids[np.clip(labels, 0, None)], -1).astype(np.int32)
            ids_of.tofile(f"{out}-k{k}.ids.i32")
            scores.tofile(f"{out}-k{k}.scores.f32")
        by_k[str(k)] = figures(timings)
    return {"addSeconds": add_seconds, "byK": by_k, "rssBytes": rss_bytes()}


def ivfpq_build(task):
    """The second seed's steps: IndexFlatL2 quantizer, IndexIVFPQ, train, add_with_ids, write_index."""
    p = task["params"]
    x = all_vectors(task)
    quantizer = faiss.IndexFlatL2(task["dims"])
    index = faiss.IndexIVFPQ(quantizer, task["dims"], p["nlist"], p["m"], p["nbits"])
    # CPU time beside wall time (every thread's; one here): on a shared machine wall time also
    # counts waiting for a core.
    t, c = time.perf_counter(), time.process_time()
    index.train(x)
    train_seconds, train_cpu = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    # Row positions as ids, as the seed does (its ids are the data frame's index): IndexRefineFlat
    # looks hits up by position in the raw vectors.
    index.add_with_ids(x, np.arange(task["n"], dtype=np.int64))
    add_seconds, add_cpu = time.perf_counter() - t, time.process_time() - c
    path = os.path.join(task["work"], "faiss-ivfpq.index")
    faiss.write_index(index, path)
    return {"trainSeconds": train_seconds, "addSeconds": add_seconds, "buildSeconds": train_seconds + add_seconds, "trainCpuSeconds": train_cpu, "addCpuSeconds": add_cpu, "diskBytes": os.path.getsize(path)}


def ivfpq_sweep(task):
    """read_index, then each setting: nprobe, and optionally IndexRefineFlat re-ranking k_factor x k candidates exactly."""
    ivf = faiss.read_index(os.path.join(task["work"], "faiss-ivfpq.index"))
    q = queries(task)
    ids = id_map(task)
    refine = None
    xb = None
    results = []
    for s in task["params"]["settings"]:
        ivf.nprobe = s["nprobe"]
        index = ivf
        if s.get("kFactor"):
            if refine is None:
                xb = all_vectors(task)
                refine = faiss.IndexRefineFlat(ivf, faiss.swig_ptr(xb))
            refine.k_factor = float(s["kFactor"])
            index = refine
        timings, _, labels = timed(index, q, 10)
        results.append({**s, **figures(timings), "recall10": recall10(task, ids, labels)})
    return {"settings": results, "rssBytes": rss_bytes()}


def hnsw_build(task):
    p = task["params"]
    index = faiss.IndexHNSWFlat(task["dims"], p["M"], faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = p["efConstruction"]
    t, c = time.perf_counter(), time.process_time()
    for start, x in chunks(task):
        index.add(x)
        done = start + len(x)
        rate = done / (time.perf_counter() - t)
        sys.stderr.write(f"faiss hnsw: {done}/{task['n']} added, {rate:.0f}/s, ETA {(task['n'] - done) / rate:.0f} s\n")
    build_seconds, build_cpu = time.perf_counter() - t, time.process_time() - c
    path = os.path.join(task["work"], "faiss-hnsw.index")
    faiss.write_index(index, path)
    return {"buildSeconds": build_seconds, "buildCpuSeconds": build_cpu, "diskBytes": os.path.getsize(path), "buildRssBytes": rss_bytes()}


def hnsw_sweep(task):
    index = faiss.read_index(os.path.join(task["work"], "faiss-hnsw.index"))
    q = queries(task)
    ids = id_map(task)
    loaded = rss_bytes()
    results = []
    for ef in task["params"]["ef"]:
        index.hnsw.efSearch = ef
        timings, _, labels = timed(index, q, 10)
        results.append({"efSearch": ef, **figures(timings), "recall10": recall10(task, ids, labels)})
    return {"settings": results, "loadedRssBytes": loaded, "rssBytes": rss_bytes()}


TASKS = {"flat": flat, "ivfpq-build": ivfpq_build, "ivfpq-sweep": ivfpq_sweep, "hnsw-build": hnsw_build, "hnsw-sweep": hnsw_sweep, "version": lambda _t: {}}


def main():
    task = json.loads(sys.argv[1])
    result = TASKS[task["phase"]](task)
    # A task's index is freed when it returns, so one that searched states its own resident
    # memory (taken while the index was live); this is the fallback for the others.
    result.setdefault("rssBytes", rss_bytes())
    result.update({"faiss": faiss.__version__, "numpy": np.__version__, "compile": faiss.get_compile_options(), "threads": faiss.omp_get_max_threads(), "peakRssBytes": peak_rss_bytes()})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
