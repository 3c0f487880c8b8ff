import { config } from '../config.ts';
import type { EventBus } from './bus.ts';

let bus: Promise<EventBus> | undefined;

/** The event bus of this environment, loaded on first use: EventBridge in AWS (`EVENT_BUS=eventbridge`), the local stand-in otherwise. */
export function getEventBus(): Promise<EventBus> {
  bus ??=
    config.eventBus === 'eventbridge'
      ? import('./eventbridge-bus.ts').then((module) => module.eventBridgeBus())
      : import('./local-bus.ts').then((module) => module.localEventBus());
  return bus;
}
