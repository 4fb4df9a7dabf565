/*
 * FP32 fused-multiply-add peak of this CPU.
 *
 * Each thread runs chains of independent vector FMAs (acc = acc * a + b) on ACC registers, enough
 * to cover FMA latency x FMA ports, so the loop is bound by FMA throughput alone. One FMA counts
 * as 2 FLOPs per lane.
 *
 * Build: gcc -O2 -march=native -pthread fp32-peak.c -o fp32-peak   (or -mavx2 -mfma)
 * Usage: fp32-peak [seconds-per-trial]   (default 0.3)
 * Prints one JSON object:
 *   {"isa": [...], "cores": n, "results": [{"isa", "perCore": [...], "allCores"}...]}
 * perCore[i] is the GFLOP/s of one thread pinned to CPU i alone; allCores is the sum over one
 * pinned thread per CPU, all running at once. Each figure is the best of several trials. Times are
 * the threads' own CPU time, so other processes sharing the cores lower the figures little.
 */
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ACC 12
#define TRIALS 5

static double clock_seconds(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now_seconds(void) { return clock_seconds(CLOCK_MONOTONIC); }

/* CPU time of the calling thread: time it was not running (other processes) does not count. */
static double thread_seconds(void) { return clock_seconds(CLOCK_THREAD_CPUTIME_ID); }

/* Runs `iters` rounds of ACC independent 8-lane FMAs; returns a value that depends on all. */
static float fma_avx2(long iters) {
  __m256 acc[ACC];
  const __m256 a = _mm256_set1_ps(0.999999f);
  const __m256 b = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < ACC; i++) acc[i] = _mm256_set1_ps((float)i);
  for (long n = 0; n < iters; n++) {
#pragma GCC unroll 12
    for (int i = 0; i < ACC; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < ACC; i++) sum = _mm256_add_ps(sum, acc[i]);
  float out[8];
  _mm256_storeu_ps(out, sum);
  return out[0] + out[7];
}

#ifdef __AVX512F__
/* The same with 16-lane AVX-512 FMAs. */
static float fma_avx512(long iters) {
  __m512 acc[ACC];
  const __m512 a = _mm512_set1_ps(0.999999f);
  const __m512 b = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < ACC; i++) acc[i] = _mm512_set1_ps((float)i);
  for (long n = 0; n < iters; n++) {
#pragma GCC unroll 12
    for (int i = 0; i < ACC; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < ACC; i++) sum = _mm512_add_ps(sum, acc[i]);
  return _mm512_reduce_add_ps(sum);
}
#endif

typedef float (*kernel_fn)(long);

struct kernel {
  const char *isa;
  kernel_fn fn;
  int lanes;
};

struct job {
  int cpu;
  struct kernel kernel;
  long iters;
  pthread_barrier_t *start;
  double seconds;
  float sink;
};

/* The CPU ids this process may run on; job->cpu indexes into it. */
static const int *cpu_ids;

static void pin_to(int index) {
  const int cpu = cpu_ids[index];
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *run_job(void *arg) {
  struct job *job = arg;
  pin_to(job->cpu);
  job->kernel.fn(job->iters / 20); /* warm-up: clocks up, pages in */
  if (job->start != NULL) pthread_barrier_wait(job->start);
  const double t0 = thread_seconds();
  job->sink = job->kernel.fn(job->iters);
  job->seconds = thread_seconds() - t0;
  return NULL;
}

static double gflops(const struct kernel *k, long iters, double seconds) {
  return (double)iters * ACC * k->lanes * 2.0 / seconds / 1e9;
}

/* Iterations that take about `seconds` on one core. */
static long calibrate(const struct kernel *k, double seconds) {
  long iters = 1 << 16;
  for (;;) {
    const double t0 = now_seconds();
    volatile float sink = k->fn(iters);
    (void)sink;
    const double dt = now_seconds() - t0;
    if (dt > 0.05) return (long)((double)iters * seconds / dt) + 1;
    iters *= 4;
  }
}

/* Best GFLOP/s of one thread pinned to the `cpu`-th allowed CPU. */
static double one_core(const struct kernel *k, int cpu, long iters) {
  double best = 0;
  for (int t = 0; t < TRIALS; t++) {
    struct job job = {cpu, *k, iters, NULL, 0, 0};
    pthread_t thread;
    pthread_create(&thread, NULL, run_job, &job);
    pthread_join(thread, NULL);
    const double g = gflops(k, iters, job.seconds);
    if (g > best) best = g;
  }
  return best;
}

/* Best total GFLOP/s of one pinned thread per CPU, all started together. */
static double all_cores(const struct kernel *k, int cpus, long iters) {
  double best = 0;
  struct job *jobs = calloc((size_t)cpus, sizeof *jobs);
  pthread_t *threads = calloc((size_t)cpus, sizeof *threads);
  for (int t = 0; t < TRIALS; t++) {
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)cpus);
    for (int c = 0; c < cpus; c++) {
      jobs[c] = (struct job){c, *k, iters, &start, 0, 0};
      pthread_create(&threads[c], NULL, run_job, &jobs[c]);
    }
    double total = 0;
    for (int c = 0; c < cpus; c++) {
      pthread_join(threads[c], NULL);
      total += gflops(k, iters, jobs[c].seconds);
    }
    pthread_barrier_destroy(&start);
    if (total > best) best = total;
  }
  free(jobs);
  free(threads);
  return best;
}

int main(int argc, char **argv) {
  const double seconds = argc > 1 ? atof(argv[1]) : 0.3;
  cpu_set_t allowed;
  sched_getaffinity(0, sizeof allowed, &allowed);
  int ids[CPU_SETSIZE];
  int cpus = 0;
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET(c, &allowed)) ids[cpus++] = c;
  cpu_ids = ids;
  struct kernel kernels[2];
  int nk = 0;
  kernels[nk++] = (struct kernel){"avx2-fma", fma_avx2, 8};
#ifdef __AVX512F__
  kernels[nk++] = (struct kernel){"avx512f", fma_avx512, 16};
#endif
  printf("{\"cores\": %d, \"results\": [", cpus);
  for (int i = 0; i < nk; i++) {
    const long iters = calibrate(&kernels[i], seconds);
    printf("%s{\"isa\": \"%s\", \"perCore\": [", i ? ", " : "", kernels[i].isa);
    for (int c = 0; c < cpus; c++) printf("%s%.2f", c ? ", " : "", one_core(&kernels[i], c, iters));
    printf("], \"allCores\": %.2f}", all_cores(&kernels[i], cpus, iters));
  }
  printf("]}\n");
  return 0;
}
