/** `skagent report`: a self-contained HTML report of a work dir, plus SVG/PNG figures. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../../io/atomic.js';
import { CHROMIUM, haveChromium, svgSize, svgsToPng } from '../../viewer/png.js';
import { buildReport } from '../../viewer/report.js';
import type { Command } from '../command.js';
import { ExitCode, UserError } from '../../errors.js';

const HELP = `skagent report — one offline HTML file with a work dir's curves and results, and paper figures

Usage: skagent report <work_dir> [--out report.html] [--figures DIR] [--no-png]

Reads every training run (*.log.json) and test result (scores.npy + labels.npy) under <work_dir>
and writes:
  --out F        the report (default <work_dir>/report.html): the Runs and Results views of
                 'skagent view' in one file, with the page's script, styles and all data inlined;
                 it makes no network request, so it can be mailed or archived as is
  --figures DIR  the same content as figures (default: <out without .html>_figures/):
                   loss.svg, train_accuracy.svg, learning_rate.svg, validation.svg (all runs),
                   confusion_<result>.svg, per_class_<result>.svg (each result)
                 and a PNG of each (2x pixel density) rendered by headless Chromium
                 (${CHROMIUM}, or $CHROMIUM); without Chromium only the SVGs are written
  --no-png       SVGs only

Example:
  skagent report work_dirs/demo --out demo.html

Exit codes: 0 written, 2 usage error, 3 nothing to report or unreadable files.`;

export const reportCommand: Command = {
  path: ['report'],
  summary: 'Self-contained HTML report of a work dir (curves, confusion matrix, per-class table) + SVG/PNG figures',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: { out: { type: 'string' }, figures: { type: 'string' }, 'no-png': { type: 'boolean' } },
    });
    if (positionals.length !== 1) throw new UserError(`expected one <work_dir>, got ${positionals.length} argument(s)`, ExitCode.usage);
    const workDir = positionals[0];
    if (!existsSync(workDir)) throw new UserError(`${workDir}: no such folder`);
    const out = resolve(values.out ?? join(workDir, 'report.html'));
    const figuresDir = resolve(values.figures ?? join(dirname(out), `${basename(out).replace(/\.html?$/i, '')}_figures`));
    const report = buildReport(workDir);
    if (report.runs + report.results === 0) throw new UserError(`${workDir}: no training runs (*.log.json) or test results (scores.npy + labels.npy) found`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileAtomic(out, report.html);
    mkdirSync(figuresDir, { recursive: true });
    const png = !values['no-png'] && haveChromium();
    const jobs = [...report.figures].map(([name, svg]) => {
      const svgPath = join(figuresDir, name);
      writeFileSync(svgPath, svg);
      return { svgPath, pngPath: svgPath.replace(/\.svg$/, '.png'), size: svgSize(svg) };
    });
    if (png) await svgsToPng(jobs);
    process.stdout.write(`wrote ${out} (${report.runs} run(s), ${report.results} result(s), ${(report.html.length / 1024).toFixed(0)} KiB) and ${report.figures.size} figure(s) in ${figuresDir}` +
      `${png ? ' as SVG and PNG' : values['no-png'] ? ' as SVG' : ` as SVG (no PNG: no Chromium at ${CHROMIUM})`}\n`);
    return ExitCode.ok;
  },
};
