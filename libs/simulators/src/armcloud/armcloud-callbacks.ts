import type { CallbackSender } from '../kit';

/**
 * The callback types a customer can subscribe to (`GET /openapi/open/config/selectList`), one per
 * callback payload of the document, in the document's order except that type "4" is the file
 * upload task, as the document's field table gives it ("File Upload Tasks", callbackType "4").
 * ids are 10 + callbackType, which reproduces the document's examples (id 14 ↔ type "4",
 * 15 ↔ "5", 16 ↔ "6"; the insert example's ids 21 and 14 both exist).
 */
export type ArmcloudCallbackKind =
  | 'padStatus'
  | 'deviceStatus'
  | 'padTask'
  | 'fileUpload'
  | 'padFileUpload'
  | 'asyncCmd'
  | 'appInstall'
  | 'appUninstall'
  | 'appStart'
  | 'appStop'
  | 'appRestart'
  | 'appList'
  | 'imageUpgrade'
  | 'appBlacklist';

export interface ArmcloudCallbackType {
  id: number;
  callbackType: string;
  callbackName: string;
  kind: ArmcloudCallbackKind;
}

const TYPE_NAMES: Array<[ArmcloudCallbackKind, string]> = [
  ['padStatus', 'Instance state'],
  ['deviceStatus', 'Cloud machine status'],
  ['padTask', 'Instance state task (restart/reset)'],
  ['fileUpload', 'File Upload Tasks'],
  ['padFileUpload', 'Instance file upload'],
  ['asyncCmd', 'Asynchronous execution of ADB commands'],
  ['appInstall', 'Application installation'],
  ['appUninstall', 'Application uninstallation'],
  ['appStart', 'Application startup'],
  ['appStop', 'Application stop'],
  ['appRestart', 'Application restart'],
  ['appList', 'Query instance application list'],
  ['imageUpgrade', 'Instance upgrade mirror'],
  ['appBlacklist', 'Application blacklisting task'],
];

export const ARMCLOUD_CALLBACK_TYPES: readonly ArmcloudCallbackType[] = TYPE_NAMES.map(([kind, callbackName], position) => ({
  id: 11 + position,
  callbackType: String(position + 1),
  callbackName,
  kind,
}));

/** One callback to post, before filtering by the customer's subscription. */
export interface ArmcloudCallbackEvent {
  kind: ArmcloudCallbackKind;
  body: Record<string, unknown>;
}

/**
 * The account's callback configuration (one address, a set of subscribed types) and the posting of
 * events through the kit's CallbackSender, which applies the callback faults.
 */
export class ArmcloudCallbacks {
  private url: string | null = null;
  private readonly subscribed = new Set<number>();

  constructor(private readonly sender: CallbackSender) {}

  /** The address as stored; a scheme-less address ("localhost:8080/callback", as in the document) is posted to over http. */
  get address(): string | null {
    return this.url;
  }

  subscribedIds(): number[] {
    return [...this.subscribed].sort((a, b) => a - b);
  }

  /** insertCallback: adds types to the subscription and sets the address; answers the number of types configured. */
  insert(ids: readonly number[], url: string): number {
    this.url = url;
    for (const id of ids) this.subscribed.add(id);
    return ids.length;
  }

  /** updateCallback: replaces the subscription and the address. */
  update(ids: readonly number[], url: string): number {
    this.subscribed.clear();
    return this.insert(ids, url);
  }

  /** deleteCallback: forgets everything; answers how many types were configured. */
  delete(): number {
    const count = this.subscribed.size;
    this.subscribed.clear();
    this.url = null;
    return count;
  }

  reset(): void {
    this.delete();
  }

  /** Posts the subscribed events of one moment as one batch (so that the out-of-order fault reorders within it). */
  emit(events: readonly ArmcloudCallbackEvent[]): void {
    if (!this.url || events.length === 0) return;
    const target = /^https?:\/\//i.test(this.url) ? this.url : `http://${this.url}`;
    const kinds = new Set(ARMCLOUD_CALLBACK_TYPES.filter((type) => this.subscribed.has(type.id)).map((type) => type.kind));
    const deliveries = events.filter((event) => kinds.has(event.kind)).map((event) => ({ url: target, body: event.body }));
    if (deliveries.length > 0) this.sender.send(deliveries);
  }
}

export function isKnownCallbackTypeId(id: number): boolean {
  return ARMCLOUD_CALLBACK_TYPES.some((type) => type.id === id);
}
