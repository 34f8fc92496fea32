/**
 * A small ONNX graph builder over the `onnx-proto` message classes: named constants
 * (initializers), nodes with typed attributes, and the ModelProto with its metadata.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** opset 17: every op used is implemented by ONNX Runtime's CPU, wasm and WebGPU providers. */
export const OPSET = 17;
/** IR version 8 goes with opset 17. */
const IR_VERSION = 8;

export type AttributeValue = number | number[] | string;
/** Integer attributes are written as INT(S); these names are floats. */
const FLOAT_ATTRIBUTES = new Set(['epsilon', 'alpha', 'beta']);

export interface ValueSpec {
  name: string;
  /** Fixed sizes or symbolic names of the dynamic axes. */
  dims: (number | string)[];
  /** Element type; default float32. */
  type?: 'float32' | 'int32' | 'uint8';
}

const ELEM_TYPES = { float32: onnx.TensorProto.DataType.FLOAT, int32: onnx.TensorProto.DataType.INT32, uint8: onnx.TensorProto.DataType.UINT8 } as const;

export class OnnxGraphBuilder {
  private readonly nodes: INodeProto[] = [];
  private readonly initializers: ITensorProto[] = [];
  private counter = 0;

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /** A float32 initializer. */
  floats(data: Float32Array | readonly number[], dims: readonly number[], prefix = 'const'): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (values.length !== expected) throw new RangeError(`onnx constant ${prefix}: ${values.length} values for dims [${dims.join(', ')}]`);
    const name = this.fresh(prefix);
    this.initializers.push({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims: [...dims], rawData: littleEndianBytes(values) });
    return name;
  }

  /** An int64 initializer (shapes, axes, split sizes). */
  ints(values: readonly number[], prefix = 'ints'): string {
    const name = this.fresh(prefix);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dataType: onnx.TensorProto.DataType.INT64, dims: [values.length], rawData: littleEndianBytes(data) });
    return name;
  }

  /** One node with one output. */
  op(type: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.opMulti(type, inputs, 1, attributes)[0];
  }

  /** One node with `outputs` outputs. */
  opMulti(type: string, inputs: readonly string[], outputs: number, attributes: Record<string, AttributeValue> = {}): string[] {
    const names = Array.from({ length: outputs }, () => this.fresh(type.toLowerCase()));
    this.nodes.push({ opType: type, name: this.fresh(`n_${type}`), input: [...inputs], output: names, attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)) });
    return names;
  }

  /** Gives a value its graph-output name (an Identity node). */
  output(value: string, name: string): void {
    this.nodes.push({ opType: 'Identity', name: this.fresh('n_Identity'), input: [value], output: [name] });
  }

  model(o: { inputs: ValueSpec[]; outputs: ValueSpec[]; producerVersion: string; metadata: Record<string, string>; docString?: string }): Uint8Array {
    const graph = {
      name: 'skeletonagent',
      node: this.nodes,
      initializer: this.initializers,
      input: o.inputs.map(valueInfo),
      output: o.outputs.map(valueInfo),
    };
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'skeletonagent',
      producerVersion: o.producerVersion,
      docString: o.docString ?? '',
      graph,
      metadataProps: Object.entries(o.metadata).map(([key, value]) => ({ key, value })),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function attribute(name: string, value: AttributeValue): IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if (FLOAT_ATTRIBUTES.has(name)) return { name, type: T.FLOAT, f: value as number };
  return { name, type: T.INT, i: value as number };
}

function valueInfo(v: ValueSpec): IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ELEM_TYPES[v.type ?? 'float32'],
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function littleEndianBytes(a: Float32Array | BigInt64Array): Uint8Array {
  // Typed arrays are in the platform's byte order; every platform Node and browsers run on is little-endian.
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}
