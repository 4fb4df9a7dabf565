/**
 * The commands that mend an onnxruntime-node install, as messages quote them. No imports:
 * the pre-flight and worker checks name them without loading onnxruntime.
 */

/** How to install onnxruntime-node's CUDA build on a GPU host (the package's own install step). */
export const CUDA_INSTALL_COMMAND = 'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install';

/** How to reinstall onnxruntime-node's native binary when it does not load. */
export const REINSTALL_COMMAND = 'node node_modules/onnxruntime-node/script/install';
