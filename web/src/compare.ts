/**
 * Compare: the store's finished episodes (GET /episodes, newest first), grouped by label and task
 * (mean grade and mean AUBC ± 95 % CI, pass rate — how an `eval` run reads in the browser), the
 * groups' mean learning curves (test accuracy vs labels bought, from the grades' learning curves,
 * with a 95 % band), and the episodes listed with checkboxes; the ticked ones are fetched whole
 * (GET /episodes/{id}, cached: finished episodes never change) and overlaid — performance per
 * step and cumulative reward per step.
 */
import { getEpisode, listEpisodes } from './api.ts';
import { bandChart, lineChart, PALETTE, type Band, type Chart, type LineSpec, type Series } from './charts.ts';
import { byId, byIds, cell, count, el, num, passBadge, percent, plural, shortId, signed } from './format.ts';
import { registerChart, registry } from './registry.ts';
import { aubcOf, curveGrid, END_WORDS, episodeEnd, groupEpisodes, meanCurve, taskLimits, totalReturn, type EpisodeGroup } from './summary.ts';
import type { EpisodeRecord, EpisodeSummary, Task } from './types.ts';

export function seriesName(e: { label: string | null; task_id: string; seed: number; episode_id: string }): string {
  return `${e.label ?? 'unlabelled'} · ${e.task_id}/${e.seed} · ${shortId(e.episode_id)}`;
}

/** Summaries fetched per page, and the most kept for the grouped view (the store's default retention). */
const PAGE = 1000;
const MAX_LISTED = 10_000;
/** Rows of the episode list shown at once ("Show more" adds as many). */
const SHOWN = 50;

const groupKey = (g: { label: string; task_id: string }) => JSON.stringify([g.label, g.task_id]);

export class ComparePanel {
  private readonly records = new Map<string, EpisodeRecord>();
  private readonly selected: string[] = [];
  private summaries: EpisodeSummary[] = [];
  private truncated = false;
  private shown = SHOWN;
  private loading = false;
  private tasks: Task[] = [];
  private readonly perf: Chart;
  private readonly reward: Chart;
  private readonly curves: ReturnType<typeof bandChart>;
  private groups: EpisodeGroup[] = [];
  /** Groups whose mean learning curve is plotted; null until someone ticks one (then: the newest task's groups). */
  private curvePick: Set<string> | null = null;
  private readonly f = byIds('cmp-', {
    select: ['cmp-task', 'cmp-label'],
    button: ['cmp-refresh', 'cmp-more'],
    table: ['groups-table', 'episodes-table', 'cmp-summary'],
    other: ['cmp-status', 'cmp-hint', 'grp-empty', 'curves-card', 'curves-hint', 'eps-empty', 'cmp-charts'],
  });

  /** Called with a stored episode when its Watch button is pressed (set by main.ts). */
  onWatch: ((rec: EpisodeRecord) => void) | null = null;

  constructor() {
    const xMax = () => this.maxSteps();
    this.perf = lineChart(byId('chart-compare'), { xLabel: 'step', yLabel: 'performance', series: [], xMax });
    this.reward = lineChart(byId('chart-compare-reward'), { xLabel: 'step', yLabel: 'cumulative reward', series: [], xMax });
    this.curves = bandChart(byId('chart-curves'), { xLabel: 'labels bought', yLabel: 'test accuracy' });
    registerChart('curves', this.curves);
    registerChart('compare', this.perf);
    registerChart('compareReward', this.reward);
    this.f.refresh.addEventListener('click', () => void this.refresh());
    this.f.task.addEventListener('change', () => void this.refresh());
    this.f.label.addEventListener('change', () => {
      this.shown = SHOWN;
      this.renderList();
    });
    this.f.more.addEventListener('click', () => {
      this.shown += SHOWN;
      this.renderList();
    });
  }

  setTasks(tasks: Task[]): void {
    this.tasks = tasks;
    for (const t of tasks) {
      const o = el('option', t.task_id);
      o.value = t.task_id;
      this.f.task.append(o);
    }
  }

  /** Reloads every summary of the chosen task (pages of 1000, at most 10,000). */
  async refresh(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.f.status.textContent = 'Loading episodes…';
    try {
      const all: EpisodeSummary[] = [];
      let before: string | null = null;
      do {
        const page = await listEpisodes({ task_id: this.f.task.value || undefined, limit: PAGE, before });
        all.push(...page.episodes);
        before = page.next_before;
      } while (before && all.length < MAX_LISTED);
      this.summaries = all;
      this.truncated = before !== null;
      this.shown = SHOWN;
      this.renderGroups();
      this.renderList();
      const n = all.length;
      this.f.status.textContent = n
        ? `${plural(n, 'finished episode')}${this.truncated ? ' (the newest; older ones are not counted)' : ''}.`
        : `No finished episodes${this.f.task.value ? ` on ${this.f.task.value}` : ''} in the store yet.`;
    } catch (err) {
      this.f.status.textContent = `Cannot list episodes: ${(err as Error).message}`;
    } finally {
      this.loading = false;
    }
  }

  private renderGroups(): void {
    const groups = groupEpisodes(this.summaries);
    this.groups = groups;
    const picked = this.pickedCurves();
    const body = this.f.groupsTable.tBodies[0]!;
    body.replaceChildren(
      ...groups.map((g) => {
        const tr = el('tr');
        tr.dataset.label = g.label;
        tr.dataset.task = g.task_id;
        const name = el('th', g.label);
        name.setAttribute('scope', 'row');
        name.dataset.col = 'Label';
        const ci = el('td', `${num(g.meanScore)}${g.halfWidth === null ? '' : ` ± ${num(g.halfWidth)}`}`, 'num interval');
        ci.dataset.col = 'Mean grade ± 95 % CI';
        ci.dataset.mean = String(g.meanScore);
        ci.dataset.half = String(g.halfWidth);
        if (g.halfWidth === null) ci.title = 'one episode: no interval';
        const a = g.aubc;
        const auc = el('td', a ? `${num(a.mean)}${a.ci95_high === null ? '' : ` ± ${num(a.ci95_high - a.mean)}`}` : '–', 'num interval');
        auc.dataset.col = 'Mean AUBC ± 95 % CI';
        if (a) {
          auc.dataset.mean = String(a.mean);
          auc.dataset.low = String(a.ci95_low);
          auc.dataset.high = String(a.ci95_high);
          if (a.ci95_high === null) auc.title = 'one episode: no interval';
        } else auc.title = "this task's grade reports no AUBC";
        const plot = el('td', undefined, 'select');
        plot.dataset.col = 'Curve';
        if (g.curves.length) {
          const box = el('input');
          box.type = 'checkbox';
          box.checked = picked.has(groupKey(g));
          box.setAttribute('aria-label', `Plot the mean learning curve of ${g.label} on ${g.task_id}`);
          box.addEventListener('change', () => {
            const now = this.pickedCurves();
            if (box.checked) now.add(groupKey(g));
            else now.delete(groupKey(g));
            this.curvePick = now;
            this.drawCurves();
          });
          plot.append(box);
        }
        const show = el('button', 'List', 'secondary small');
        show.type = 'button';
        show.setAttribute('aria-label', `List the episodes of ${g.label} on ${g.task_id}`);
        show.addEventListener('click', () => {
          this.f.label.value = g.label;
          this.shown = SHOWN;
          this.renderList();
          this.f.episodesTable.scrollIntoView({ block: 'start' });
        });
        const act = el('td');
        act.append(show);
        tr.append(
          name,
          cell(g.task_id, 'Task'),
          cell(count(g.episodes), 'Episodes', 'num'),
          ci,
          auc,
          cell(percent(g.passRate), 'Pass rate', 'num'),
          cell(num(g.meanSteps, 1), 'Mean steps', 'num'),
          plot,
          act,
        );
        return tr;
      }),
    );
    this.f.groupsTable.hidden = groups.length === 0;
    this.f.grpEmpty.hidden = groups.length > 0;
    this.drawCurves();

    // The label filter offers the labels present now; a vanished one falls back to all.
    const keep = this.f.label.value;
    const labels = [...new Set(groups.map((g) => g.label))];
    const all = el('option', 'all labels');
    all.value = '';
    this.f.label.replaceChildren(
      all,
      ...labels.map((l) => {
        const o = el('option', l);
        o.value = l;
        return o;
      }),
    );
    this.f.label.value = labels.includes(keep) ? keep : '';
  }

  /**
   * The groups whose curves are plotted: the ticked ones still present; before anyone ticks, the
   * groups of the newest task that has learning curves (one task: one budget axis), at most as
   * many as the palette has colours.
   */
  private pickedCurves(): Set<string> {
    const withCurves = this.groups.filter((g) => g.curves.length > 0);
    if (this.curvePick) return new Set(withCurves.map(groupKey).filter((k) => this.curvePick!.has(k)));
    const task = withCurves[0]?.task_id;
    return new Set(withCurves.filter((g) => g.task_id === task).slice(0, PALETTE.length).map(groupKey));
  }

  /** A task's budget: the listed field, else the longest curve's last purchase. */
  private budgetOf(g: EpisodeGroup): number {
    const listed = taskLimits(this.tasks.find((t) => t.task_id === g.task_id)).budget;
    return listed ?? Math.max(1, ...g.curves.map((c) => c.budget_used.at(-1) ?? 0));
  }

  /**
   * Each picked group's mean learning curve with its 95 % band, over one x axis: every budget
   * where some curve has a point (a group's curve is exact there and linear between), each group
   * up to its task's budget.
   */
  private drawCurves(): void {
    const picked = this.pickedCurves();
    const groups = this.groups.filter((g) => picked.has(groupKey(g)));
    const budgets = groups.map((g) => this.budgetOf(g));
    const x = [...new Set(groups.flatMap((g, i) => curveGrid(g.curves, budgets[i]!)))].sort((a, b) => a - b);
    const specs: LineSpec[] = [];
    const data: Series[] = [x];
    const bands: (Band | null)[] = [];
    groups.forEach((g, i) => {
      const within = x.filter((b) => b <= budgets[i]!);
      const m = meanCurve(g.curves, budgets[i]!, within);
      const pad = (v: (number | null)[]): Series => [...v, ...Array<null>(x.length - v.length).fill(null)];
      const color = PALETTE[i % PALETTE.length]!;
      specs.push({ label: `${g.label} · ${g.task_id} (${plural(g.curves.length, 'episode')})`, color, points: x.length <= 40 });
      data.push(pad(m.mean));
      bands.push(g.curves.length >= 2 ? { color, low: pad(m.low), high: pad(m.high) } : null);
    });
    registry.curves = groups.map((g, i) => ({ label: g.label, task_id: g.task_id, band: bands[i] ?? null }));
    const any = this.groups.some((g) => g.curves.length > 0);
    this.f.curvesCard.hidden = !any;
    this.f.curvesHint.textContent = groups.length
      ? 'Mean test accuracy of each ticked group after each number of labels bought; the shaded band is its 95 % confidence interval (Student t, pointwise). Its area is the mean AUBC.'
      : 'Tick a group with learning curves (the Curve column) to plot it.';
    this.curves.setBands(specs, groups.length ? data : [], bands);
  }

  private renderList(): void {
    const label = this.f.label.value;
    const list = label ? this.summaries.filter((e) => (e.label ?? '(unlabelled)') === label) : this.summaries;
    const body = this.f.episodesTable.tBodies[0]!;
    body.replaceChildren(...list.slice(0, this.shown).map((e) => this.row(e)));
    this.f.more.hidden = list.length <= this.shown;
    this.f.more.textContent = `Show more (${count(Math.min(SHOWN, list.length - this.shown))} of ${count(list.length - this.shown)} left)`;
    this.f.episodesTable.hidden = list.length === 0;
    // An empty store is said once, by the status line and the groups' hint; this note is for a
    // label filter that leaves nothing.
    this.f.epsEmpty.hidden = list.length > 0 || this.summaries.length === 0;
  }

  private row(e: EpisodeSummary): HTMLTableRowElement {
    const tr = el('tr');
    tr.dataset.episodeId = e.episode_id;
    const box = el('input');
    box.type = 'checkbox';
    box.checked = this.selected.includes(e.episode_id);
    box.setAttribute('aria-label', `Compare ${seriesName(e)}`);
    box.addEventListener('change', () => void this.toggle(e.episode_id, box.checked));
    const cb = el('td', undefined, 'select');
    cb.append(box);
    const result = el('td');
    result.dataset.col = 'Result';
    result.append(passBadge(e.passed));
    // Today's runs by time alone (the list is mostly those); older ones with their date.
    const at = new Date(e.finished_at);
    const today = at.toDateString() === new Date().toDateString();
    const finished = cell(
      today ? at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : at.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }),
      'Finished',
      'time',
    );
    finished.title = e.finished_at;
    const watch = el('button', 'Watch', 'secondary small');
    watch.type = 'button';
    watch.setAttribute('aria-label', `Watch ${seriesName(e)} step by step`);
    watch.addEventListener('click', () => void this.watch(e.episode_id));
    const actions = el('td', undefined, 'actions');
    actions.append(watch);
    tr.append(
      cb,
      cell(e.label ?? '—', 'Label', 'label'),
      cell(e.task_id, 'Task'),
      cell(String(e.seed), 'Seed', 'num'),
      cell(count(e.step_count), 'Steps', 'num'),
      cell(num(e.score), 'Score', 'num'),
      result,
      finished,
      actions,
    );
    return tr;
  }

  private async fetchRecord(id: string): Promise<EpisodeRecord> {
    let rec = this.records.get(id);
    if (!rec) {
      rec = await getEpisode(id);
      this.records.set(id, rec);
    }
    return rec;
  }

  private async watch(id: string): Promise<void> {
    try {
      this.onWatch?.(await this.fetchRecord(id));
    } catch (err) {
      this.f.status.textContent = `Cannot load the episode: ${(err as Error).message}`;
    }
  }

  private async toggle(id: string, on: boolean): Promise<void> {
    const i = this.selected.indexOf(id);
    if (on && i < 0) this.selected.push(id);
    if (!on && i >= 0) this.selected.splice(i, 1);
    try {
      await Promise.all(this.selected.map((s) => this.fetchRecord(s)));
    } catch (err) {
      this.f.status.textContent = `Cannot load an episode: ${(err as Error).message}`;
    }
    this.draw();
  }

  private overlaid(): EpisodeRecord[] {
    return this.selected.map((id) => this.records.get(id)).filter((r): r is EpisodeRecord => r !== undefined);
  }

  /** The longest step limit among the overlaid episodes' tasks. */
  private maxSteps(): number | null {
    const limits = this.overlaid().map((r) => taskLimits(this.tasks.find((t) => t.task_id === r.task_id)).maxSteps);
    const known = limits.filter((m): m is number => m !== null);
    return known.length ? Math.max(...known) : null;
  }

  private draw(): void {
    const recs = this.overlaid();
    registry.compared = recs.map((r) => r.episode_id);
    const len = Math.max(0, ...recs.map((r) => r.steps.length));
    const x = Array.from({ length: len + 1 }, (_, i) => i);
    // Shorter episodes end early: pad with nulls so their line simply stops.
    const pad = (v: number[]): Series => [...v, ...Array<null>(len + 1 - v.length).fill(null)];
    const specs: LineSpec[] = recs.map((r, i) => ({ label: seriesName(r), color: PALETTE[i % PALETTE.length]!, dash: i >= PALETTE.length ? [5, 3] : undefined }));
    const perf = recs.map((r) => pad([r.initial_observation.current_performance, ...r.steps.map((s) => s.observation.current_performance)]));
    const cum = recs.map((r) => {
      let acc = 0;
      return pad([0, ...r.steps.map((s) => (acc += s.reward))]);
    });
    // The hint is the overlay's one message: how many are overlaid, or what to do to see one.
    this.f.hint.textContent =
      recs.length >= 2
        ? `Overlaying ${plural(recs.length, 'episode')}.`
        : recs.length === 1
          ? 'One episode ticked: tick another to compare.'
          : 'Tick two or more episodes above to overlay their learning curves and cumulative rewards.';
    this.f.charts.hidden = recs.length === 0;
    this.perf.setSeries(specs, [x, ...perf]);
    this.reward.setSeries(specs, [x, ...cum]);

    this.f.summary.hidden = recs.length === 0;
    this.f.summary.tBodies[0]!.replaceChildren(
      ...recs.map((r, i) => {
        const tr = el('tr');
        const name = el('th', seriesName(r));
        name.setAttribute('scope', 'row');
        name.dataset.col = 'Episode';
        const swatch = el('span', undefined, 'swatch');
        swatch.style.background = specs[i]!.color;
        name.prepend(swatch);
        const lastStep = r.steps.at(-1);
        const last = lastStep?.observation ?? r.initial_observation;
        const end = lastStep ? episodeEnd({ action_type: lastStep.action.action_type, ...last }) : null;
        const result = el('td');
        result.dataset.col = 'Result';
        result.append(passBadge(r.grade.passed));
        tr.append(
          name,
          cell(num(last.current_performance), 'Final performance', 'num'),
          cell(signed(totalReturn(r.steps.map((s) => s.reward))), 'Return', 'num'),
          cell(count(r.initial_observation.remaining_budget - last.remaining_budget), 'Budget used', 'num'),
          cell(end ? END_WORDS[end.reason] : '–', 'Ended'),
          cell(num(r.grade.score), 'Score', 'num'),
          cell(num(aubcOf(r.grade)), 'AUBC', 'num'),
          result,
        );
        return tr;
      }),
    );
  }
}
