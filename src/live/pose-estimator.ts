/**
 * A user-supplied 2D pose model (COCO-17, ONNX; contracts in pose-model.ts) on any ONNX Runtime
 * flavour: onnxruntime-web in the viewer's Live tab, onnxruntime-node in a Node program. One
 * person: the whole frame is the person box (no detector), so the person should fill the view.
 * Its keypoints are frames for PoseStream: `{ t, people: [{ id, keypoints }] }` in COCO-17 'xys'.
 */
import { decodePose, type OutputTensor } from './pose-decode.js';
import { type Letterbox, type RgbaImage, inputTensor, letterbox, letterboxPixels, toFramePixels } from './pose-image.js';
import { type PoseContract, poseContract, readModelIO } from './pose-model.js';

/** The part of onnxruntime-node's / onnxruntime-web's API the estimator uses. */
export interface PoseOrt {
  InferenceSession: {
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<{
      run(feeds: Record<string, unknown>): Promise<Record<string, OutputTensor>>;
      release(): Promise<void>;
    }>;
  };
  Tensor: new (type: 'int32' | 'uint8' | 'float32', data: Int32Array | Uint8Array | Float32Array, dims: readonly number[]) => unknown;
}

type Session = Awaited<ReturnType<PoseOrt['InferenceSession']['create']>>;

export class PoseEstimator {
  private constructor(private readonly ort: PoseOrt, private readonly session: Session, readonly contract: PoseContract) {}

  /** Checks the model's contract (PoseModelError when it has none), then opens a session. */
  static async create(ort: PoseOrt, model: Uint8Array, opts: { source?: string; sessionOptions?: Record<string, unknown> } = {}): Promise<PoseEstimator> {
    const contract = poseContract(readModelIO(model, opts.source), opts.source);
    const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all', ...opts.sessionOptions });
    return new PoseEstimator(ort, session, contract);
  }

  /** Where a frame of this size goes in the model input (a canvas draws it there). */
  letterbox(frameWidth: number, frameHeight: number): Letterbox {
    return letterbox(frameWidth, frameHeight, this.contract.width, this.contract.height);
  }

  /** COCO-17 [x, y, score] in frame pixels from a frame already letterboxed into `box` (RGBA, the model's size). */
  async estimateLetterboxed(pixels: Uint8Array | Uint8ClampedArray, box: Letterbox): Promise<number[][]> {
    const { type, data, dims } = inputTensor(pixels, this.contract);
    const outputs = await this.session.run({ [this.contract.input]: new this.ort.Tensor(type, data, dims) });
    return toFramePixels(decodePose(this.contract, outputs), box);
  }

  /** COCO-17 [x, y, score] in frame pixels from a whole RGBA frame. */
  async estimate(frame: RgbaImage): Promise<number[][]> {
    const box = this.letterbox(frame.width, frame.height);
    return this.estimateLetterboxed(letterboxPixels(frame, box), box);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
