/**
 * Mistakes surface as errors that name the operator and describe its operands (dtype, shape,
 * device), so a user can find the failing line without a debugger.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import type { Tensor } from '../../src/torch/index.js';

const F = torch.F;
const long = (values: number[]): Tensor => torch.tensor(values, { dtype: 'int64' });

interface ErrorCase { name: string; run: () => unknown; message: RegExp }

const SHAPE_ERRORS: ErrorCase[] = [
  { name: 'matmul inner sizes', run: () => torch.ones([2, 3]).matmul(torch.ones([4, 2])), message: /^aten::matmul\(self=Float\[2, 3\] cpu, other=Float\[4, 2\] cpu\): mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x2\)/ },
  { name: 'broadcasting', run: () => torch.ones([2, 3]).add(torch.ones([4])), message: /^aten::add\.Tensor\(self=Float\[2, 3\] cpu, other=Float\[4\] cpu, alpha=1\): The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1/ },
  { name: 'conv2d channels', run: () => F.conv2d(torch.ones([1, 2, 4, 4]), torch.ones([1, 3, 3, 1])), message: /^aten::conv2d\(input=Float\[1, 2, 4, 4\] cpu, weight=Float\[1, 3, 3, 1\] cpu, bias=None, stride=\[1, 1\], padding=\[0, 0\], dilation=\[1, 1\], groups=1\): .*expected input\[1, 2, 4, 4\] to have 3 channels, but got 2 channels/ },
  { name: 'conv2d kernel larger than the input', run: () => F.conv2d(torch.ones([1, 1, 2, 1]), torch.ones([1, 1, 3, 1])), message: /^aten::conv2d\(input=Float\[1, 1, 2, 1\] cpu, weight=Float\[1, 1, 3, 1\] cpu.*Kernel size can't be greater than actual input size/ },
  { name: 'cat sizes', run: () => torch.cat([torch.ones([2, 3]), torch.ones([2, 4])]), message: /^aten::cat\(tensors=\[Float\[2, 3\] cpu, Float\[2, 4\] cpu\], dim=0\): Sizes of tensors must match except in dimension 0/ },
  { name: 'view of a non-contiguous tensor', run: () => torch.ones([2, 3]).T.view(6), message: /^aten::view\(self=Float\[3, 2\] cpu, size=\[6\]\): view size is not compatible .* Use \.reshape/ },
  { name: 'reshape element count', run: () => torch.ones([2, 3]).reshape(4), message: /^aten::reshape\(self=Float\[2, 3\] cpu, shape=\[4\]\): shape '\[4\]' is invalid for input of size 6/ },
  { name: 'linear in-features', run: () => F.linear(torch.ones([2, 3]), torch.ones([4, 5])), message: /^aten::linear\(input=Float\[2, 3\] cpu, weight=Float\[4, 5\] cpu, bias=None\): mat1 and mat2 shapes cannot be multiplied/ },
  { name: 'batch norm statistics size', run: () => F.batchNorm(torch.ones([2, 3, 4]), torch.zeros([4]), torch.ones([4]), null, null, false), message: /^aten::batch_norm\(input=Float\[2, 3, 4\] cpu, .*running_mean=Float\[4\] cpu.*\): running_mean should contain 3 elements not 4/ },
  { name: 'einsum operand rank', run: () => torch.einsum('ij,jk->ik', torch.ones([2, 3]), torch.ones([3])), message: /^aten::einsum\(equation='ij,jk->ik', tensors=\[Float\[2, 3\] cpu, Float\[3\] cpu\]\): einsum\(\): the number of subscripts in the equation \(2\) does not match the number of dimensions \(1\) for operand 1/ },
  { name: 'kl_div shapes', run: () => F.klDiv(torch.ones([2, 3]), torch.ones([3, 2])), message: /^aten::kl_div\(self=Float\[2, 3\] cpu, target=Float\[3, 2\] cpu/ },
  { name: 'cross entropy class index out of range', run: () => F.crossEntropy(torch.ones([2, 3]), long([0, 5])), message: /^aten::cross_entropy_loss\(self=Float\[2, 3\] cpu, target=Long\[2\] cpu.*\): Target 5 is out of bounds/ },
  { name: 'index out of range', run: () => torch.ones([3]).select(0, 3), message: /^aten::select\.int\(self=Float\[3\] cpu, dim=0, index=3\): select\(\): index 3 out of range for tensor of size \[3\] at dimension 0/ },
  { name: 'attention key/query widths (reported by the inner matmul)', run: () => F.scaledDotProductAttention(torch.ones([2, 3]), torch.ones([4, 5]), torch.ones([4, 5])), message: /^aten::matmul\(self=Float\[2, 3\] cpu, other=Float\[5, 4\] cpu\)/ },
];

const DTYPE_ERRORS: ErrorCase[] = [
  { name: 'embedding with float indices', run: () => F.embedding(torch.ones([3, 2]), torch.ones([2])), message: /^aten::embedding\(weight=Float\[3, 2\] cpu, indices=Float\[2\] cpu.*\): Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got CPUFloatType/ },
  { name: 'cross entropy with float class indices', run: () => F.crossEntropy(torch.ones([2, 3]), torch.ones([2])), message: /^aten::cross_entropy_loss\(self=Float\[2, 3\] cpu, target=Float\[2\] cpu.*\): expected scalar type Long but found Float/ },
  { name: 'mm of float32 and float64', run: () => torch.ones([2, 2]).mm(torch.ones([2, 2], { dtype: 'float64' })), message: /^aten::mm\(self=Float\[2, 2\] cpu, mat2=Double\[2, 2\] cpu\): expected scalar type Float but found Double/ },
  { name: 'index with a float tensor', run: () => torch.ones([3]).index([torch.ones([1])]), message: /^aten::index\.Tensor\(self=Float\[3\] cpu, indices=\[Float\[1\] cpu\]\): tensors used as indices must be long, byte or bool tensors/ },
  { name: 'conv2d of an integer tensor', run: () => F.conv2d(torch.ones([1, 1, 3, 3], { dtype: 'int64' }), torch.ones([1, 1, 2, 2])), message: /^aten::conv2d\(input=Long\[1, 1, 3, 3\] cpu, weight=Float\[1, 1, 2, 2\] cpu/ },
  { name: 'gradient of an integer tensor', run: () => torch.ones([2], { dtype: 'int64' }).requiresGrad_(), message: /requiresGrad\(Long\[2\] cpu\): Only Tensors of floating point and complex dtype can require gradients/ },
];

const ARGUMENT_ERRORS: ErrorCase[] = [
  { name: 'a string where a dim list is expected', run: () => torch.ones([3]).sum('a' as unknown as number), message: /^aten::sum\.dim_IntList: argument 'dim' \(int\[\]\?\): expected an array\n {2}schema: aten::sum\.dim_IntList\(Tensor self, int\[1\]\? dim/ },
  { name: 'a fraction where an int is expected', run: () => torch.ones([3]).select(0, 1.5), message: /^aten::select\.int: argument 'index' \(int\): expected an integer/ },
  { name: 'too many arguments', run: () => torch.callT(torch.op('aten::relu'), torch.ones([1]).id, 1), message: /^aten::relu: takes 1 arguments, got 2\n {2}schema: aten::relu\(Tensor self\) -> Tensor/ },
  { name: 'a missing required argument', run: () => torch.callT(torch.op('aten::add', 'Tensor'), torch.ones([1]).id), message: /^aten::add\.Tensor: missing required argument 'other' \(Tensor\)/ },
  { name: 'a custom generator', run: () => torch.callT(torch.op('aten::rand', 'generator'), [2], {}), message: /^aten::rand\.generator: argument 'generator' \(Generator\?\): expected null \(custom generators are not supported; use manualSeed\)/ },
  { name: 'item of a multi-element tensor', run: () => torch.ones([2]).item(), message: /^item\(Float\[2\] cpu\): a Tensor with 2 elements cannot be converted to Scalar/ },
];

const AUTOGRAD_ERRORS: ErrorCase[] = [
  {
    name: 'backward twice without retainGraph',
    run: () => { const x = torch.ones([2], { requiresGrad: true }); const y = x.mul(x).sum(); y.backward(); y.backward(); },
    message: /^backward\(Float\[\] cpu\): Trying to backward through the graph a second time/,
  },
  { name: 'backward of a non-scalar without a gradient', run: () => torch.ones([2], { requiresGrad: true }).mul(2).backward(), message: /^backward\(Float\[2\] cpu\): grad can be implicitly created only for scalar outputs/ },
  { name: 'backward of a tensor that does not require grad', run: () => torch.ones([1]).sum().backward(), message: /^backward\(Float\[\] cpu\): element 0 of tensors does not require grad/ },
  { name: 'in-place change of a leaf that requires grad', run: () => torch.ones([2], { requiresGrad: true }).add_(1), message: /^aten::add_\.Scalar\(self=Float\[2\] cpu.*a leaf Variable that requires grad is being used in an in-place operation/ },
];

for (const [group, cases] of [['shape', SHAPE_ERRORS], ['dtype', DTYPE_ERRORS], ['argument', ARGUMENT_ERRORS], ['autograd', AUTOGRAD_ERRORS]] as const) {
  for (const c of cases) {
    test(`${group} error: ${c.name}`, () => {
      torch.tidy(() => assert.throws(c.run, (err: Error) => {
        assert.match(err.message, c.message);
        return true;
      }));
    });
  }
}

test('a failed operator leaves no tensor behind', () => {
  const before = torch.memoryStats().liveTensors;
  const a = torch.ones([2, 3]);
  const b = torch.ones([4, 2]);
  assert.throws(() => a.matmul(b));
  a.dispose();
  b.dispose();
  assert.equal(torch.memoryStats().liveTensors, before);
});

// Assigning a gradient of another shape or dtype is refused, as PyTorch does ("assigned grad has
// data of a different size/type"): SGD would otherwise broadcast or fail far from the cause.
test('autograd error: a gradient of the wrong shape or dtype', () => {
  const p = torch.ones([2], { requiresGrad: true });
  assert.throws(() => { p.grad = torch.ones([3]); }, /setGrad: a gradient must match its tensor: got Float\[3\] cpu for Float\[2\] cpu/);
  assert.throws(() => { p.grad = torch.ones([2], { dtype: 'float64' }); }, /setGrad/);
});
