// Colour is a choice of the caller (NO_COLOR, --no-color): views ask for a colour through
// this hook and get undefined when colour is off, so the frame is plain text.
import { createContext, useContext } from 'react';
import type { CheckVerdict } from '../model/check.js';
import type { PathRowState } from '../report/packet-path.js';

export const ColorContext = createContext<boolean>(true);

export type Paint = (color: string) => string | undefined;

export function usePaint(): Paint {
  const enabled = useContext(ColorContext);
  return (color) => (enabled ? color : undefined);
}

export const VERDICT_COLOR: Record<CheckVerdict, string> = {
  pass: 'green',
  warn: 'yellow',
  fail: 'red',
  unknown: 'magenta',
  skip: 'gray',
  blocked: 'gray',
  error: 'red',
};

export const PATH_COLOR: Record<PathRowState, string> = { seen: 'green', broken: 'red', 'not-reached': 'gray', 'not-captured': 'magenta' };
