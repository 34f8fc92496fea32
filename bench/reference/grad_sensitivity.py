"""How sensitive are early-layer gradients of the original model to float noise?

The training-step fixture compares gradients of gcn.0 parameters. This script shows that a
1e-7 relative change of the input moves d loss / d gcn.0.gcn.A by ~7e-4 (of max 0.1) in PyTorch
itself (ReLU zeros and max-pool ties route gradients discontinuously), so implementations whose
forward passes differ only by rounding cannot agree more closely than that on those gradients.
Run: /usr/bin/python3 bench/reference/grad_sensitivity.py
"""
import os, sys, json, numpy as np, torch
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from skeletonagent_model import Recognizer
torch.set_num_threads(2)
FX=os.environ.get('SKAGENT_FIXTURES', os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'fixtures')) + '/'
ck = torch.load(FX+'models/ntu60_xsub_j/checkpoint.pth', map_location='cpu')['state_dict']
man = json.load(open(FX+'models/ntu60_xsub_j/manifest.json'))['train']; t = man['swap']
mix = torch.from_numpy(np.load(FX+t['mix']['mix_data']['file'])); x = torch.from_numpy(np.load(FX+man['input']['file']))[:, 0]
lab = torch.tensor(t['labels']['__ndarray__']); ml = torch.from_numpy(np.load(FX+t['mix']['mix_label']['file'])); text = torch.from_numpy(np.load(FX+t['text']['embedding']['file']))
def grads(eps, threads):
    torch.set_num_threads(threads)
    m = Recognizer(60, 25, torch.zeros(8,25,25), torch.zeros(60,25,25)); m.load_state_dict(ck); m.train()
    inp = torch.cat([x, mix]); inp = inp * (1 + eps)
    f, x1, x2 = m.backbone(inp); logits = m.logits(f); N=4
    z, zm = logits[:N], logits[N:]
    L = F.cross_entropy(z, lab) + (-(ml * zm.log_softmax(1)).sum(1).mean()) + 0.2*F.cross_entropy(x1[:N], lab)
    s = m.backbone.logit_scale[:, 0].mean(); a = x2[:N]/x2[:N].norm(dim=-1,keepdim=True); tt = text/text.norm(dim=-1,keepdim=True)
    G=(lab[:,None]==lab[None]).float(); q=(10*G).softmax(1); kl=lambda X: F.kl_div(X.log_softmax(1), q, reduction='sum')/N
    L = L + 0.5*(kl(s*a@tt.t())+kl(s*tt@a.t()))/2
    L.backward(); return m.backbone.gcn[0].gcn.A.grad.clone()
g0 = grads(0, 2)
print('1 vs 2 threads: %.2e' % (grads(0, 1) - g0).abs().max().item())
print('input * (1+1e-7): %.2e' % (grads(1e-7, 2) - g0).abs().max().item())
print('input * (1+1e-6): %.2e' % (grads(1e-6, 2) - g0).abs().max().item())
