// A request with a next phase (`then=restart`, issue 21; `then=apply-now`, issue 22) in words:
// the card's plan, progress and totals for both phases, and the thread: the attach results when
// the next phase starts, then that phase's results with the follow-ups. The results of each part
// are the renderer of its kind (results.ts, apply-results.ts), shaped here.

import { applyRestartCandidates, summarizeApply } from '../../domain/operations/apply-summary.js';
import { forecastApplyPhase, nextPhaseView, ownSteps } from '../../domain/operations/phases.js';
import { summarizeRequest } from '../../domain/operations/summary.js';
import type { MutationRequest } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { describeApplyPlan, describeLeftOut } from './apply-card.js';
import { renderApplyResults } from './apply-results.js';
import { describeExcluded } from './card-parts.js';
import { codeSpan } from './escape.js';
import type { SlackMessage } from './limits.js';
import { followUpButtons, type ResultsOptions, renderResults } from './results.js';

/** The preview's Running instances that can take the key pair: the restart the card forecasts. */
export function runningForecast(request: MutationRequest): number {
  const asked = new Set(request.instanceIds);
  return (request.preview?.instances ?? []).filter(
    (i) =>
      asked.has(i.instanceId) && i.status === 'RUNNING' && i.osType.toLowerCase() !== 'windows',
  ).length;
}

const waveSizeOf = (request: MutationRequest) => request.next?.restart?.waveSize ?? 10;

/** The card's lines about the phases: the forecast, then what the restart phase was planned as. */
export function describeRotation(request: MutationRequest, t: Catalogue): string[] {
  if (!request.next) return [];
  if (request.next.kind === 'apply') return describeApplyNext(request, t);
  const f = t.fleet.rotation;
  const key = codeSpan(request.keyPairName ?? request.keyPairId ?? '?', 64);
  const lines = [
    f.plan(key, request.instanceIds.length, runningForecast(request), waveSizeOf(request)),
  ];
  const view = nextPhaseView(request);
  if (view) {
    const waves = new Set(view.steps.map((s) => s.wave ?? 0)).size;
    lines.push(
      view.instanceIds.length
        ? f.planned(view.instanceIds.length, waves, waveSizeOf(request))
        : f.nothingPlanned,
      ...describeExcluded(view.excluded ?? [], t),
    );
  }
  return lines;
}

/**
 * then=apply-now on the card: the plan, then what the apply phase does: as planned once the
 * attach is answered, else as forecast from the preview (what runs where, which lines it removes).
 */
function describeApplyNext(request: MutationRequest, t: Catalogue): string[] {
  const a = t.fleet.applyNext;
  const key = codeSpan(request.keyPairName ?? request.keyPairId ?? '?', 64);
  const lines = [a.plan(key, request.instanceIds.length)];
  const view = nextPhaseView(request);
  if (view) {
    if (view.instanceIds.length) lines.push(...describeApplyPlan(view, t));
    else lines.push(a.nothingPlanned, ...describeLeftOut(view.excluded ?? [], t));
    return lines;
  }
  const forecast = forecastApplyPhase(request);
  if (forecast?.instanceIds.length) lines.push(a.forecast, ...describeApplyPlan(forecast, t));
  return lines;
}

/** The apply phase whose script the card shows: as planned, else as forecast; else none. */
export function applyScriptSource(request: MutationRequest): MutationRequest | undefined {
  if (request.kind === 'apply') return request;
  if (request.next?.kind !== 'apply') return undefined;
  const view = nextPhaseView(request);
  return view?.instanceIds.length ? view : forecastApplyPhase(request);
}

/** The steps whose progress the card shows now: the restart's once planned, else the attach's. */
export function progressPart(request: MutationRequest): MutationRequest {
  const view = nextPhaseView(request);
  if (view?.steps.length) return view;
  return request.next ? { ...request, steps: ownSteps(request) } : request;
}

/**
 * The thread's results. A rotation posts its attach results when the restart starts (`earlier`,
 * ending with what the restart covers and leaves out, no buttons), then the restart results with
 * the follow-ups; the latter carry the attach results too if they could not be posted before.
 */
export function renderThreadResults(
  request: MutationRequest,
  options: ResultsOptions,
  part?: 'earlier',
): SlackMessage[] {
  if (!request.next) return renderResults(request, options);
  const view = nextPhaseView(request);
  const applies = request.next.kind === 'apply';
  const earlier = renderResults(request, options, {
    tail: applies ? announceApply(request, options.t) : announceRestart(request, options.t),
    followUps: null,
  });
  if (part === 'earlier' || !view) return earlier;
  if (applies) {
    const title = options.t.fleet.applyNext.resultsTitle(
      codeSpan(request.id, 80),
      view.instanceIds.length,
    );
    // The restart where the key did not reach, and Ask again for what the attach failed on. No
    // Undo: it would bind the earlier key pair again but leave the lines the script wrote.
    const attach = summarizeRequest(request);
    const buttons = followUpButtons(options, {
      request,
      running: applyRestartCandidates(summarizeApply(view)).length,
      bound: 0,
      retry: attach.counts.failed + attach.counts.unconfirmed,
      applyNow: false,
    });
    const final = renderApplyResults(view, { ...options, title, buttons: buttons ?? null });
    return request.next.earlierResults?.message ? final : [...earlier, ...final];
  }
  const attach = summarizeRequest(request);
  const restart = summarizeRequest(view);
  const final = renderResults(view, options, {
    title: options.t.fleet.rotation.restartTitle(codeSpan(request.id, 80), view.instanceIds.length),
    tail: describeExcluded(view.excluded ?? [], options.t),
    followUps: {
      request,
      // A halted or failed roll: the rest can be asked for again, with its own approval.
      running: restart.results.filter((r) => r.state !== 'ok').length,
      bound: attach.counts.ok,
      retry: attach.counts.failed + attach.counts.unconfirmed,
      applyNow: false,
    },
  });
  return request.next.earlierResults?.message ? final : [...earlier, ...final];
}

function announceApply(request: MutationRequest, t: Catalogue): string[] {
  const view = nextPhaseView(request);
  if (!view) return [];
  const a = t.fleet.applyNext;
  return [
    view.instanceIds.length ? a.applying(view.instanceIds.length) : a.nothingToApply,
    ...describeLeftOut(view.excluded ?? [], t),
  ];
}

function announceRestart(request: MutationRequest, t: Catalogue): string[] {
  const view = nextPhaseView(request);
  if (!view) return [];
  const f = t.fleet.rotation;
  return [
    view.instanceIds.length
      ? f.restarting(view.instanceIds.length, waveSizeOf(request))
      : f.nothingToRestart,
    ...describeExcluded(view.excluded ?? [], t),
  ];
}
