import * as tf from "@tensorflow/tfjs";

/**
 * The confusion counts of one batch: images by true class (row) and predicted class (column), a
 * [numClasses, numClasses] float32 tensor. It is the labels' one-hot, transposed, times the
 * predictions' one-hot, multiplied in float32 because the wasm backend multiplies nothing else (so
 * tf.math.confusionMatrix, an int32 product, fails there); counts stay exact below 2^24 images. The
 * one-hots are made int32 and cast: wasm's OneHot asked for float32 writes zeros (tfjs 4.22).
 */
export function confusionCounts(labels: tf.Tensor1D, predictions: tf.Tensor1D, numClasses: number): tf.Tensor2D {
  return tf.tidy(() => {
    const truth = tf.cast(tf.oneHot(labels, numClasses), "float32");
    const predicted = tf.cast(tf.oneHot(predictions, numClasses), "float32");
    return tf.matMul(truth, predicted, true, false);
  });
}
