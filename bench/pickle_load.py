"""Reference side of bench/pickle_load.ts (run with Debian's /usr/bin/python3, which has numpy).

  pickle_load.py generate PATH SIZE_GB PROTOCOL   write a synthetic PYSKL-like annotation pickle
  pickle_load.py load PATH                        time pickle.load, print JSON with wall/CPU time and peak RSS

The synthetic file imitates ntu120_3danno.pkl: {'split': {...}, 'annotations': [...]}, each
annotation with frame_dir, label, float16 keypoint (M, T, 25, 3) and total_frames.
"""
import json
import pickle
import resource
import sys
import time

import numpy as np


def generate(path, size_gb, protocol):
    rng = np.random.default_rng(0)
    target = int(size_gb * 2**30)
    annotations, total = [], 0
    while total < target:
        i = len(annotations)
        m, t = (1, 2)[i % 2], int(rng.integers(40, 300))
        keypoint = rng.standard_normal((m, t, 25, 3), dtype=np.float32).astype(np.float16)
        annotations.append({'frame_dir': 'S%03dC%03dP%03dR%03dA%03d' % (i % 32, i % 3, i % 106, i % 2, i % 120),
                            'label': i % 120, 'keypoint': keypoint, 'total_frames': t})
        total += keypoint.nbytes + 120
    names = [a['frame_dir'] for a in annotations]
    data = {'split': {'xsub_train': names[::2], 'xsub_val': names[1::2]}, 'annotations': annotations}
    with open(path, 'wb') as f:
        pickle.dump(data, f, protocol=protocol)


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime


def load(path):
    start, cpu_start = time.perf_counter(), cpu_seconds()
    with open(path, 'rb') as f:
        data = pickle.load(f)
    seconds, cpu_end = time.perf_counter() - start, cpu_seconds()
    user, system = cpu_end[0] - cpu_start[0], cpu_end[1] - cpu_start[1]
    anns = data['annotations']
    print(json.dumps({
        'seconds': seconds,
        'cpu_seconds': user + system,
        'user_seconds': user,
        'sys_seconds': system,
        'peak_rss_bytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        'annotations': len(anns),
        'keypoint_values': int(sum(a['keypoint'].size for a in anns)),
    }))


if __name__ == '__main__':
    if sys.argv[1] == 'generate':
        generate(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == 'load':
        load(sys.argv[2])
    else:
        sys.exit('usage: pickle_load.py generate PATH SIZE_GB PROTOCOL | load PATH')
