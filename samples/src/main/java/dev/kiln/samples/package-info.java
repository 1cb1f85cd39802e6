/** Runnable Kiln programs on real data. */
package dev.kiln.samples;
