/**
 * How the camera feeds a recognition model (the Live tab, web/camera.ts; and whoever replays its
 * recordings): keypoints resampled to 30 fps, the last 64 frames (2.1 s) recognised every 8
 * frames, the first time once 16 are buffered; top 5 classes.
 */
export const CAMERA_STREAM = { fps: 30, window: 64, stride: 8, minFrames: 16, topK: 5 } as const;
