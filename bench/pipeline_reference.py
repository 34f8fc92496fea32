"""numpy reference for bench/pipeline_throughput.ts: the ntu60_xsub/j training pipeline
(PreNormalize3D(align_spine=False) -> RandomRot(0.2) -> GenSkeFeat(j) -> UniformSampleDecode(100)
-> FormatGCNInput -> Collect -> ToTensor), written with numpy the way the original pipeline
operations compute (including their per-frame Python loops), on the samples the TypeScript side
wrote as .npy files.

Usage: python3 pipeline_reference.py <dir with sample_*.npy> <reps>
Prints JSON: {"samples_per_s": best rep, "seconds": [...], "sha1": digest of every output of the first rep}.
Each sample i is processed after np.random.seed(i); random.seed(i), like a seeded worker.
"""
import glob
import hashlib
import json
import random
import sys
import time

import numpy as np

try:
    import torch
except ImportError:  # ToTensor then just keeps the array
    torch = None


def pre_normalize_3d(results):
    skeleton = results['keypoint']
    m, t, v, c = skeleton.shape
    if skeleton.sum() == 0:
        return results
    index0 = [i for i in range(t) if not np.all(np.isclose(skeleton[0, i], 0))]
    if m == 2:
        index1 = [i for i in range(t) if not np.all(np.isclose(skeleton[1, i], 0))]
        if len(index0) < len(index1):
            skeleton = skeleton[:, np.array(index1)][[1, 0]]
        else:
            skeleton = skeleton[:, np.array(index0)]
    else:
        skeleton = skeleton[:, np.array(index0)]
    center = skeleton[0, 0, 1].copy() if v == 25 else skeleton[0, 0, -1].copy()
    mask = ((skeleton != 0).sum(-1) > 0)[..., None]
    results['keypoint'] = (skeleton - center) * mask
    results['total_frames'] = skeleton.shape[1]
    results['body_center'] = center
    return results


def random_rot(results, theta=0.2):
    skeleton = results['keypoint']
    if np.all(np.isclose(skeleton, 0)):
        return results
    th = np.random.uniform(-theta, theta, size=3)
    cos, sin = np.cos(th), np.sin(th)
    rx = np.array([[1, 0, 0], [0, cos[0], sin[0]], [0, -sin[0], cos[0]]])
    ry = np.array([[cos[1], 0, -sin[1]], [0, 1, 0], [sin[1], 0, cos[1]]])
    rz = np.array([[cos[2], sin[2], 0], [-sin[2], cos[2], 0], [0, 0, 1]])
    rot = np.matmul(rz, np.matmul(ry, rx))
    results['keypoint'] = np.einsum('ab,mtvb->mtva', rot, skeleton)
    return results


def gen_ske_feat_j(results):
    results['j'] = results.pop('keypoint')
    results['keypoint'] = np.concatenate([results.pop('j')], axis=-1)
    return results


def uniform_sample_decode(results, clip_len=100):
    kp = results.pop('keypoint').astype(np.float32)
    t = kp.shape[1]
    ratio = np.random.rand() * 0 + 1
    n = int(ratio * t)
    off = np.random.randint(t - n + 1)
    if n < clip_len:
        start = np.random.randint(0, n)
        inds = (np.arange(start, start + clip_len) % n) + off
    elif n < 2 * clip_len:
        chosen = np.random.choice(clip_len + 1, n - clip_len, replace=False)
        offset = np.zeros(clip_len + 1, dtype=np.int64)
        offset[chosen] = 1
        inds = np.arange(clip_len) + np.cumsum(offset)[:-1] + off
    else:
        bids = np.array([i * n // clip_len for i in range(clip_len + 1)])
        inds = bids[:clip_len] + np.random.randint(np.diff(bids)) + off
    results['clip_len'] = clip_len
    results['frame_interval'] = None
    results['num_clips'] = 1
    results['keypoint'] = kp[:, inds].copy()
    return results


def format_gcn_input(results, num_person=2):
    kp = results['keypoint']
    if kp.shape[0] < num_person:
        kp = np.concatenate((kp, np.zeros((num_person - kp.shape[0],) + kp.shape[1:], dtype=kp.dtype)), axis=0)
    elif kp.shape[0] > num_person:
        kp = kp[:num_person]
    m, t, v, c = kp.shape
    nc = results.get('num_clips', 1)
    results['keypoint'] = np.ascontiguousarray(kp.reshape((m, nc, t // nc, v, c)).transpose(1, 0, 2, 3, 4))
    return results


def collect_to_tensor(results):
    data = {'keypoint': results['keypoint'], 'label': results['label']}
    if torch is not None:
        data['keypoint'] = torch.from_numpy(data['keypoint'])
    return data


def pipeline(results):
    for op in (pre_normalize_3d, random_rot, gen_ske_feat_j, uniform_sample_decode, format_gcn_input, collect_to_tensor):
        results = op(results)
    return results


def main():
    folder, reps = sys.argv[1], int(sys.argv[2])
    samples = [np.load(f) for f in sorted(glob.glob(f'{folder}/sample_*.npy'))]
    seconds, digest = [], None
    for rep in range(reps + 1):  # the first pass warms up and produces the checksum
        sha = hashlib.sha1()
        start = time.perf_counter()
        for i, kp in enumerate(samples):
            np.random.seed(i)
            random.seed(i)
            out = pipeline({'keypoint': kp, 'label': 0, 'total_frames': kp.shape[1], 'modality': 'Pose', 'start_index': 0})
            if rep == 0:
                k = out['keypoint']
                sha.update((k.numpy() if torch is not None else k).tobytes())
        elapsed = time.perf_counter() - start
        if rep == 0:
            digest = sha.hexdigest()
        else:
            seconds.append(elapsed)
    print(json.dumps({'samples_per_s': len(samples) / min(seconds), 'seconds': seconds, 'sha1': digest}))


if __name__ == '__main__':
    main()
