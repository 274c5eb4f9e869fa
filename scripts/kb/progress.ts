// A progress bar on stderr: redrawn in place on a terminal, a line per 10% otherwise (CI).

export function progress(label: string): (done: number, total: number) => void {
  let lastDecile = -1;
  return (done, total) => {
    const ratio = total ? done / total : 1;
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round(ratio * width);
      process.stderr.write(`\r${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}`);
      if (done === total) process.stderr.write("\n");
      return;
    }
    const decile = Math.floor(ratio * 10);
    if (decile !== lastDecile) {
      lastDecile = decile;
      process.stderr.write(`${label}: ${done}/${total}\n`);
    }
  };
}
