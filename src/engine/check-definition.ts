// The shape of one check of the graph (checks/<question>/<id>.ts). evaluate is pure: it
// reads the run's facts and returns a Finding; the engine alone decides blocked and error.
import type { CheckResult, Finding, QuestionId } from '../model/check.js';
import type { Role, Topology } from '../model/topology.js';
import type { Facts } from '../facts/facts.js';
import type { ProbeName } from './probe-catalog.js';

export interface ProbeNeed {
  role: Role;
  probe: ProbeName;
  /** A required probe that threw in its parser makes the check `error`; a missing host makes it `unknown`. */
  required?: boolean;
  /**
   * Read when present: a bundle recorded before the probe existed lacks it, and the check is
   * judged without it (not skipped as "not recorded").
   */
  supplementary?: boolean;
}

export interface CheckContext<Id extends string = string> {
  topology: Topology;
  facts: Facts;
  /** Results of the checks listed in `needs` and `softNeeds`, by id. */
  deps: Partial<Record<Id, CheckResult>>;
}

/** `Id`: the graph's check ids (checks/ids.ts types them; the engine takes any string). */
export interface CheckDefinition<Id extends string = string> {
  id: Id;
  question: QuestionId;
  title: string;
  /** Check ids this one builds on; a failed dependency makes it `blocked` unless listed in softNeeds. */
  needs: Id[];
  /** Dependencies whose results are read (to corroborate) but whose failure does not block. */
  softNeeds?: Id[];
  probes: ProbeNeed[];
  evaluate(ctx: CheckContext<Id>): Finding;
}
