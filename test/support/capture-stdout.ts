/** Runs a CLI command in-process and answers its exit code with everything it printed to stdout. */
export async function captureStdout(run: () => Promise<number>): Promise<{ code: number; output: string }> {
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    printed.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await run();
    return { code, output: printed.join('') };
  } finally {
    process.stdout.write = write;
  }
}
