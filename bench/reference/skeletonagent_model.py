"""SkeletonAgent's recogniser in plain PyTorch, written after the original's
skeletonagent/models/recognizers/recognizergcn.py, models/gcns/module.py, models/gcns/utils/*.py and
models/heads/{base,simple_head}.py.

The yardstick for bench/ (same architecture, same kernels as the original) and a second opinion
when a TypeScript result disagrees with a fixture. Not imported by the product.
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

K = 8


class Seq(nn.Sequential):
    pass


class GcnUnit(nn.Module):
    def __init__(self, cin, cout, A):
        super().__init__()
        self.mid = int(0.125 * cout)
        inner = K * self.mid
        self.A = nn.Parameter(A.clone())
        self.alpha = nn.Parameter(torch.zeros(K))
        self.beta = nn.Parameter(torch.zeros(K))
        self.pre = nn.Sequential(nn.Conv2d(cin, inner, 1), nn.BatchNorm2d(inner), nn.ReLU())
        self.post = nn.Conv2d(inner, cout, 1)
        self.conv1 = nn.Conv2d(cin, inner, 1)
        self.conv2 = nn.Conv2d(cin, inner, 1)
        self.down = nn.Sequential(nn.Conv2d(cin, cout, 1), nn.BatchNorm2d(cout)) if cin != cout else None
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        n, _, t, v = x.shape
        m = self.mid
        res = self.down(x) if self.down is not None else x
        P = self.pre(x).view(n, K, m, t, v)
        q1 = self.conv1(x).view(n, K, m, t, v).mean(3)
        q2 = self.conv2(x).view(n, K, m, t, v).mean(3)
        inter = torch.tanh(q1.unsqueeze(-1) - q2.unsqueeze(-2)) * self.alpha[0]
        intra = torch.einsum('nkci,nkcj->nkij', q1, q2).softmax(2) * self.beta[0]
        adj = self.A[None, :, None] + inter + intra[:, :, None]
        y = torch.einsum('nkcti,nkcij->nkctj', P, adj).reshape(n, K * m, t, v)
        return F.relu(self.bn(self.post(y)) + res)


class TemporalConv(nn.Module):
    def __init__(self, cin, cout, k=9, stride=1, dilation=1, norm=True):
        super().__init__()
        pad = (k + (k - 1) * (dilation - 1) - 1) // 2
        self.conv = nn.Conv2d(cin, cout, (k, 1), padding=(pad, 0), stride=(stride, 1), dilation=(dilation, 1))
        self.bn = nn.BatchNorm2d(cout) if norm else nn.Identity()

    def forward(self, x):
        return self.bn(self.conv(x))


class MsTcn(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        mid = cout // 6
        rem = cout - 5 * mid
        self.add_coeff = nn.Parameter(torch.zeros(25))
        branches = []
        for i, d in enumerate([1, 2, 3, 4]):
            w = rem if i == 0 else mid
            branches.append(nn.Sequential(nn.Conv2d(cin, w, 1), nn.BatchNorm2d(w), nn.ReLU(), TemporalConv(w, w, 3, stride, d, norm=False)))
        branches.append(nn.Sequential(nn.Conv2d(cin, mid, 1), nn.BatchNorm2d(mid), nn.ReLU(), nn.MaxPool2d((3, 1), (stride, 1), (1, 0))))
        branches.append(nn.Conv2d(cin, mid, 1, stride=(stride, 1)))
        self.branches = nn.ModuleList(branches)
        self.transform = nn.Sequential(nn.BatchNorm2d(cout), nn.ReLU(), nn.Conv2d(cout, cout, 1))
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        v = x.shape[3]
        x = torch.cat([x, x.mean(-1, keepdim=True)], -1)
        b = torch.cat([br(x) for br in self.branches], 1)
        local, glob = b[..., :v], b[..., v:]
        return self.bn(self.transform(local + glob * self.add_coeff[:v]))


class Block(nn.Module):
    def __init__(self, cin, cout, A, stride=1, residual=True):
        super().__init__()
        self.gcn = GcnUnit(cin, cout, A)
        self.tcn = MsTcn(cout, cout, stride)
        if not residual:
            self.mode = 'none'
        elif cin == cout and stride == 1:
            self.mode = 'identity'
        else:
            self.mode = 'conv'
            self.residual = TemporalConv(cin, cout, 1, stride)

    def forward(self, x):
        y = self.tcn(self.gcn(x))
        if self.mode == 'none':
            return F.relu(y)
        return F.relu(y + (x if self.mode == 'identity' else self.residual(x)))


class Backbone(nn.Module):
    def __init__(self, num_classes, V, A, examplar, k400=False, base=96):
        super().__init__()
        self.k400 = k400
        self.examplar = nn.Parameter(examplar.clone().float(), requires_grad=False)
        if not k400:
            self.pos_embedding = nn.Parameter(torch.randn(1, V, base))
        self.logit_scale = nn.Parameter(torch.ones(1, 1) * math.log(1 / 0.07))
        self.data_bn = nn.BatchNorm1d(3 * V if k400 else 2 * base * V)
        if not k400:
            self.to_joint_embedding = nn.Linear(3, base)
        blocks, cin, inflate = [], base, 0
        if k400:
            blocks.append(Block(3, base, A, 1, residual=False))
        for i in range(2, 11):
            stride = 2 if i in (5, 8) else 1
            if i in (5, 8):
                inflate += 1
            cout = int(base * 2 ** inflate + 1e-4)
            blocks.append(Block(cin, cout, A, stride))
            cin = cout
        self.direct_fc = nn.Conv2d(cin, 1, 1)
        self.linear_head = nn.ModuleDict({'ViT-B/32': nn.Linear(cin, 512)})
        self.gcn = nn.ModuleList(blocks)

    def forward(self, x):
        N, M, T, V, C = x.shape
        if self.k400:
            x = self.data_bn(x.permute(0, 1, 3, 4, 2).reshape(N * M, V * C, T))
            x = x.view(N * M, V, C, T).permute(0, 2, 3, 1).contiguous()
        else:
            e = self.to_joint_embedding(x.reshape(N * M * T, V, C)) + self.pos_embedding[:, :V]
            Cb = e.shape[-1]
            e = e.view(N, M, T, V, Cb).permute(0, 1, 3, 4, 2).reshape(N, M * V * Cb, T)
            x = self.data_bn(e).view(N, M, V, Cb, T).permute(0, 1, 3, 4, 2).reshape(N * M, Cb, T, V)
        for b in self.gcn:
            x = b(x)
        NM, Cf, Tf, _ = x.shape
        g = x.mean(2)
        h = torch.einsum('ncv,kvu->nckv', g, self.examplar) if False else torch.einsum('ncv,kvu->ncku', g, self.examplar)
        x1 = self.direct_fc(h).squeeze(1).mean(-1).view(N, M, -1).mean(1)
        x2 = self.linear_head['ViT-B/32'](x.mean([2, 3]).view(N, M, Cf).mean(1))
        return x.view(N, M, Cf, Tf, V), x1, x2


class Recognizer(nn.Module):
    def __init__(self, num_classes, V, A, examplar, k400=False):
        super().__init__()
        self.backbone = Backbone(num_classes, V, A, examplar, k400)
        self.cls_head = nn.Module()
        self.cls_head.fc_cls = nn.Linear(self.backbone.direct_fc.in_channels, num_classes)

    def logits(self, f):
        return self.cls_head.fc_cls(f.mean([3, 4]).mean(1))
