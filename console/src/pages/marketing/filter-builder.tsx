import { createContext } from 'preact';
import { useContext, useId } from 'preact/hooks';
import type { ApiProblem } from '../../api/problem.ts';
import { t } from '../../i18n/index.ts';
import {
  type Condition,
  emptyGroup,
  fields,
  type Group,
  isCustomField,
  newCondition,
  type Op,
  opsFor,
  takesList,
  takesNoValue,
  updateItem,
} from './filter-model.ts';

/** Campaigns by id, for the engagement fields' value (which campaign was opened or clicked). */
export type CampaignChoices = readonly { readonly id: string; readonly name: string }[];

const CUSTOM = 'customFields.';

/** The failed save, so each condition shows the API's messages for its own path (`filter.all[1].value`). */
const FilterProblem = createContext<ApiProblem | undefined>(undefined);

/** Where the API reports problems of the builder's filter: under `filter` of the request body. */
export const FILTER_PATH = 'filter';

/**
 * The segment filter as nested groups of conditions: each group matches all or any of its items;
 * each condition picks a field, an operator that suits it and a value.
 */
export function FilterBuilder({
  value,
  onChange,
  campaigns,
  problem,
}: {
  readonly value: Group;
  readonly onChange: (next: Group) => void;
  readonly campaigns: CampaignChoices;
  readonly problem?: ApiProblem;
}) {
  return (
    <FilterProblem.Provider value={problem}>
      <GroupEditor
        group={value}
        path={[]}
        apiPath={FILTER_PATH}
        campaigns={campaigns}
        onChange={onChange}
        change={(key, update) => onChange(updateItem(value, key, update))}
      />
    </FilterProblem.Provider>
  );
}

type Change = (key: number, update: (item: Condition | Group) => Condition | Group | undefined) => void;

function GroupEditor({
  group,
  path,
  apiPath,
  campaigns,
  onChange,
  change,
  onRemove,
}: {
  readonly group: Group;
  /** 1-based positions from the top group, for labels that tell rows apart ("condition 2.1"). */
  readonly path: readonly number[];
  /** The group's path in the request body, as the API names it in its errors. */
  readonly apiPath: string;
  readonly campaigns: CampaignChoices;
  readonly onChange: (next: Group) => void;
  readonly change: Change;
  readonly onRemove?: () => void;
}) {
  const where = path.join('.');
  // Every group has its own add buttons: a nested group's say which group they add to.
  const groupName = where ? t('marketing.builder.groupN', { n: where }) : t('marketing.builder.topGroup');
  return (
    <fieldset class="filter-group">
      <legend>{groupName}</legend>
      <div class="filter-group-head">
        <label>
          <span>{t('marketing.builder.match')}</span>{' '}
          <select
            value={group.match}
            aria-label={t('marketing.builder.matchOf', { group: groupName })}
            onChange={(event) =>
              onChange({ ...group, match: (event.target as HTMLSelectElement).value as 'all' | 'any' })
            }
          >
            <option value="all">{t('marketing.builder.all')}</option>
            <option value="any">{t('marketing.builder.any')}</option>
          </select>
        </label>
        {onRemove && (
          <button type="button" class="button button-quiet" onClick={onRemove}>
            {t('marketing.builder.removeGroup', { group: groupName })}
          </button>
        )}
      </div>
      {group.items.length === 0 && <p class="muted">{t('marketing.builder.emptyGroup')}</p>}
      <ol class="filter-items">
        {group.items.map((item, index) => {
          const itemPath = [...path, index + 1];
          const itemApiPath = `${apiPath}.${group.match}[${index}]`;
          return (
            <li key={item.key}>
              {item.kind === 'condition' ? (
                <ConditionRow
                  condition={item}
                  label={itemPath.join('.')}
                  apiPath={itemApiPath}
                  campaigns={campaigns}
                  onChange={(next) => change(item.key, () => next)}
                  onRemove={() => change(item.key, () => undefined)}
                />
              ) : (
                <GroupEditor
                  group={item}
                  path={itemPath}
                  apiPath={itemApiPath}
                  campaigns={campaigns}
                  change={change}
                  onChange={(next) => change(item.key, () => next)}
                  onRemove={() => change(item.key, () => undefined)}
                />
              )}
            </li>
          );
        })}
      </ol>
      <div class="actions">
        <button
          type="button"
          class="button"
          aria-label={where ? t('marketing.builder.addConditionTo', { group: groupName }) : undefined}
          onClick={() => onChange({ ...group, items: [...group.items, newCondition()] })}
        >
          {t('marketing.builder.addCondition')}
        </button>
        {path.length < 4 && (
          <button
            type="button"
            class="button"
            aria-label={where ? t('marketing.builder.addGroupTo', { group: groupName }) : undefined}
            onClick={() =>
              onChange({
                ...group,
                items: [...group.items, { ...emptyGroup('any'), items: [newCondition()] }],
              })
            }
          >
            {t('marketing.builder.addGroup')}
          </button>
        )}
      </div>
    </fieldset>
  );
}

function fieldLabel(field: string): string {
  if (isCustomField(field) || field === CUSTOM) return t('marketing.field.custom');
  return t(`marketing.field.${field}`);
}

function ConditionRow({
  condition,
  label,
  apiPath,
  campaigns,
  onChange,
  onRemove,
}: {
  readonly condition: Condition;
  readonly label: string;
  readonly apiPath: string;
  readonly campaigns: CampaignChoices;
  readonly onChange: (next: Condition) => void;
  readonly onRemove: () => void;
}) {
  const problem = useContext(FilterProblem);
  const errorId = useId();
  const errors = (problem?.errors ?? []).filter(
    (error) => error.path === apiPath || error.path.startsWith(`${apiPath}.`),
  );
  const invalid = errors.length > 0 ? { 'aria-invalid': true, 'aria-describedby': errorId } : {};
  const custom = condition.field.startsWith(CUSTOM);
  const known = Object.hasOwn(fields, condition.field);
  const ops = opsFor(condition.field);
  const setField = (field: string) => {
    const nextOps = opsFor(field);
    onChange({
      ...condition,
      field,
      op: nextOps.includes(condition.op) ? condition.op : (nextOps[0] ?? 'eq'),
      value: '',
    });
  };
  return (
    <div class={`filter-condition${errors.length > 0 ? ' field-invalid' : ''}`}>
      <select
        {...invalid}
        aria-label={t('marketing.builder.fieldOf', { n: label })}
        value={custom ? CUSTOM : condition.field}
        onChange={(event) => setField((event.target as HTMLSelectElement).value)}
      >
        {!known && !custom && <option value={condition.field}>{condition.field}</option>}
        {Object.keys(fields).map((field) => (
          <option key={field} value={field}>
            {fieldLabel(field)}
          </option>
        ))}
        <option value={CUSTOM}>{t('marketing.field.custom')}</option>
      </select>
      {custom && (
        <input
          type="text"
          aria-label={t('marketing.builder.customKeyOf', { n: label })}
          placeholder={t('marketing.builder.customKeyHint')}
          value={condition.field.slice(CUSTOM.length)}
          onInput={(event) =>
            onChange({ ...condition, field: CUSTOM + (event.target as HTMLInputElement).value })
          }
        />
      )}
      <select
        {...invalid}
        aria-label={t('marketing.builder.opOf', { n: label })}
        value={condition.op}
        onChange={(event) => onChange({ ...condition, op: (event.target as HTMLSelectElement).value as Op })}
      >
        {!ops.includes(condition.op) && <option value={condition.op}>{condition.op}</option>}
        {ops.map((op) => (
          <option key={op} value={op}>
            {t(`marketing.op.${op}`)}
          </option>
        ))}
      </select>
      {!takesNoValue(condition.op) && (
        <ValueInput
          condition={condition}
          label={label}
          campaigns={campaigns}
          onChange={onChange}
          invalid={invalid}
        />
      )}
      <button
        type="button"
        class="button button-quiet"
        aria-label={t('marketing.builder.removeConditionN', { n: label })}
        onClick={onRemove}
      >
        {t('marketing.builder.remove')}
      </button>
      {errors.length > 0 && (
        <p class="field-error condition-error" id={errorId}>
          {errors.map((error) => error.message).join('; ')}
        </p>
      )}
    </div>
  );
}

function ValueInput({
  condition,
  label,
  campaigns,
  onChange,
  invalid,
}: {
  readonly condition: Condition;
  readonly label: string;
  readonly campaigns: CampaignChoices;
  readonly onChange: (next: Condition) => void;
  readonly invalid: Record<string, unknown>;
}) {
  const def = fields[condition.field];
  const ariaLabel = t('marketing.builder.valueOf', { n: label });
  const set = (value: string) => onChange({ ...condition, value });
  const list = takesList(condition.op);
  if (!list && def?.type === 'enum' && def.values)
    return (
      <select
        {...invalid}
        aria-label={ariaLabel}
        value={condition.value}
        onChange={(e) => set((e.target as HTMLSelectElement).value)}
      >
        <option value="">{t('marketing.builder.choose')}</option>
        {def.values.map((value) => (
          <option key={value} value={value}>
            {t(`marketing.value.${value}`)}
          </option>
        ))}
      </select>
    );
  if (!list && def?.type === 'engagement')
    return (
      <select
        {...invalid}
        aria-label={ariaLabel}
        value={condition.value}
        onChange={(e) => set((e.target as HTMLSelectElement).value)}
      >
        <option value="">{t('marketing.builder.chooseCampaign')}</option>
        {campaigns.map((campaign) => (
          <option key={campaign.id} value={campaign.id}>
            {campaign.name}
          </option>
        ))}
        {condition.value && !campaigns.some((campaign) => campaign.id === condition.value) && (
          <option value={condition.value}>{condition.value}</option>
        )}
      </select>
    );
  const type =
    condition.op === 'withinDays' || (!list && def?.type === 'number')
      ? 'number'
      : !list && def?.type === 'date'
        ? 'date'
        : 'text';
  const props = {
    ...invalid,
    'aria-label': ariaLabel,
    placeholder: list
      ? t('marketing.builder.listHint')
      : condition.op === 'withinDays'
        ? t('marketing.builder.daysHint')
        : '',
    onInput: (event: Event) => set((event.target as HTMLInputElement).value),
  };
  if (type === 'date') return <input type="date" {...props} value={condition.value.slice(0, 10)} />;
  if (type === 'number') return <input type="number" {...props} value={condition.value} />;
  return <input type="text" {...props} value={condition.value} />;
}
