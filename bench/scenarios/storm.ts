import type { Scenario } from '../scenario';
import { runStorms } from '../storm-sets';
import type { StormTarget } from '../storm-run';
import {
  describeStorm,
  stormFigures,
  stormNotes,
  type StormRep,
  type StormShape,
  type StormWords,
} from './storm-figures';

/** A storm scenario as the table shows it: what is contested, by whom, how it is checked. */
export interface StormSpec<R extends StormRep> {
  id: string;
  /** Names the buyers. */
  label: string;
  shapes: { full: StormShape; quick: StormShape };
  target: StormTarget<R>;
  title: (shape: StormShape) => string;
  candidate: string;
  baseline: string;
  words: Omit<StormWords, 'loserCode'>;
  /** What a failed check of the database after a storm says; undefined when it passed. */
  problem: (rep: R) => string | undefined;
  /** The note when every storm's check passed. */
  checked: string;
}

/** A scenario that runs the spec's storms on the run's two instance sets (`runStorms`). */
export function stormScenario<R extends StormRep>(spec: StormSpec<R>): Scenario {
  return {
    id: spec.id,
    run: async (env) => {
      const shape = env.settings.quick ? spec.shapes.quick : spec.shapes.full;
      const r = await runStorms(env, {
        id: spec.id,
        label: spec.label,
        shape,
        target: spec.target,
        describe: (rep) => describeStorm(rep, spec.problem(rep)),
      });
      const failed = [...r.gate, ...r.plain].map(spec.problem).find((p) => p !== undefined);
      return {
        id: spec.id,
        title: spec.title(shape),
        candidate: spec.candidate,
        baseline: spec.baseline,
        figures: stormFigures(r.gate, r.plain, {
          ...spec.words,
          loserCode: spec.target.loserCode,
        }),
        reps: {
          gate: r.gate,
          postgres: r.plain,
          idleXactsPerSecond: [{ gate: r.idle[0], postgres: r.idle[1] }],
        },
        notes: [
          failed ? `${failed} in some repetitions: see them.` : spec.checked,
          ...stormNotes(r.gate, r.plain, r.idle),
        ],
      };
    },
  };
}
