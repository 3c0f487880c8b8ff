import { useState } from 'preact/hooks';
import { BASE } from '../../config.ts';
import { formatDate, formatMoney } from '../../i18n/format.ts';
import { t } from '../../i18n/index.ts';
import { useSession } from '../../me.ts';
import { canChange } from '../../ui/can-change.ts';
import { amountSums, type Deal, type Stage } from './board-data.ts';

/** The drag's payload type: a deal id, so drops from elsewhere (text, files) are ignored. */
const DEAL_TYPE = 'application/x-crm-deal';

/** One stage: its name, deal count and amount per currency, its cards, and a drop target. */
export function BoardColumn({
  stage,
  deals,
  pending,
  onDrop,
  onMoveTo,
}: {
  readonly stage: Stage;
  readonly deals: readonly Deal[];
  /** Deals being moved: their cards wait for the API's answer. */
  readonly pending: ReadonlySet<string>;
  readonly onDrop: (dealId: string, stageId: string) => void;
  readonly onMoveTo: (deal: Deal) => void;
}) {
  const [over, setOver] = useState(false);
  const headingId = `stage-${stage.id}`;
  const sums = amountSums(deals);
  return (
    <section
      class={`board-column board-column-${stage.kind}${over ? ' board-column-over' : ''}`}
      aria-labelledby={headingId}
      onDragOver={(event) => {
        if (!event.dataTransfer?.types.includes(DEAL_TYPE)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
        setOver(true);
      }}
      onDragLeave={(event) => {
        if (!(event.currentTarget as HTMLElement).contains(event.relatedTarget as Node | null))
          setOver(false);
      }}
      onDrop={(event) => {
        const id = event.dataTransfer?.getData(DEAL_TYPE);
        setOver(false);
        if (!id) return;
        event.preventDefault();
        onDrop(id, stage.id);
      }}
    >
      <header class="board-column-head">
        <h2 id={headingId}>{stage.name}</h2>
        <p class="board-column-summary" data-testid="column-summary">
          <span>
            {deals.length === 1
              ? t('pipeline.columnSummaryOne')
              : t('pipeline.columnSummary', { count: deals.length })}
          </span>
          {sums && <span class="board-column-sum">{sums}</span>}
        </p>
      </header>
      {deals.length === 0 ? (
        <p class="board-column-empty muted">
          {stage.kind === 'open' ? t('pipeline.emptyColumn') : t('pipeline.closedColumn')}
        </p>
      ) : (
        <ul class="board-cards">
          {deals.map((deal) => (
            <DealCard key={deal.id} deal={deal} busy={pending.has(deal.id)} onMoveTo={onMoveTo} />
          ))}
        </ul>
      )}
    </section>
  );
}

function DealCard({
  deal,
  busy,
  onMoveTo,
}: {
  readonly deal: Deal;
  readonly busy: boolean;
  readonly onMoveTo: (deal: Deal) => void;
}) {
  // A colleague's deal is shown but cannot be moved: the API would refuse the change (403).
  const movable = canChange(useSession().me, deal);
  return (
    <li
      class={`board-card${busy ? ' board-card-busy' : ''}`}
      aria-busy={busy || undefined}
      draggable={!busy && movable}
      onDragStart={(event) => {
        event.dataTransfer?.setData(DEAL_TYPE, deal.id);
        event.dataTransfer?.setData('text/plain', deal.name);
        if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
      }}
    >
      <a class="board-card-name" href={`${BASE}/deals/${deal.id}`}>
        {deal.name}
      </a>
      <span class="board-card-amount">
        {deal.amount !== undefined && deal.currency
          ? formatMoney(deal.amount, deal.currency)
          : t('pipeline.noAmount')}
      </span>
      {deal.expectedCloseDate && (
        <span class="board-card-date muted">
          {t('pipeline.closes', { date: formatDate(deal.expectedCloseDate) })}
        </span>
      )}
      {movable ? (
        <button
          type="button"
          class="button button-quiet board-card-move"
          aria-haspopup="dialog"
          disabled={busy}
          onClick={() => onMoveTo(deal)}
        >
          {t('pipeline.moveTo')}
          <span class="visually-hidden"> {deal.name}</span>
        </button>
      ) : (
        <span class="board-card-date muted">{t('pipeline.colleaguesDeal')}</span>
      )}
    </li>
  );
}
