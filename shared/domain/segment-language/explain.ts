import type { Condition, SegmentFilter } from '../segment-filter.ts';
import type { Lang } from './lexicon.ts';

/**
 * Explanation lines in Spanish or English: `"<words>" → <condition>`, e.g.
 * `"Madird" → ciudad es Madrid (corregido)`, `"tagged vip" → tag is vip`.
 * Ids (campaigns, owners, stages) are shown by their names.
 */
const fieldNames: Record<string, { es: string; en: string }> = {
  city: { es: 'ciudad', en: 'city' },
  country: { es: 'país', en: 'country' },
  'company.city': { es: 'ciudad de la empresa', en: 'company city' },
  'company.country': { es: 'país de la empresa', en: 'company country' },
  'company.industry': { es: 'sector de la empresa', en: 'company industry' },
  'company.size': { es: 'empleados de la empresa', en: 'company employees' },
  tags: { es: 'etiqueta', en: 'tag' },
  lifecycleStage: { es: 'etapa del ciclo de vida', en: 'lifecycle stage' },
  marketingStatus: { es: 'estado de marketing', en: 'marketing status' },
  createdAt: { es: 'fecha de alta', en: 'created' },
  updatedAt: { es: 'fecha de actualización', en: 'updated' },
  lastActivityAt: { es: 'última actividad', en: 'last activity' },
  'engagement.opened': { es: 'abrieron', en: 'opened' },
  'engagement.clicked': { es: 'hicieron clic en', en: 'clicked' },
  engagementScore: { es: 'puntuación de engagement', en: 'engagement score' },
  ownerId: { es: 'propietario', en: 'owner' },
  'deals.stage': { es: 'negocio en la etapa', en: 'deal in stage' },
  email: { es: 'email', en: 'email' },
  phone: { es: 'teléfono', en: 'phone' },
  companyId: { es: 'empresa', en: 'company' },
  title: { es: 'cargo', en: 'title' },
};

const opNames: Record<string, { es: string; en: string }> = {
  eq: { es: 'es', en: 'is' },
  neq: { es: 'no es', en: 'is not' },
  in: { es: 'es uno de', en: 'is one of' },
  nin: { es: 'no es ninguno de', en: 'is none of' },
  contains: { es: 'contiene', en: 'contains' },
  gt: { es: 'mayor que', en: 'greater than' },
  gte: { es: 'al menos', en: 'at least' },
  lt: { es: 'menor que', en: 'less than' },
  lte: { es: 'como mucho', en: 'at most' },
  exists: { es: 'existe', en: 'is present' },
  notExists: { es: 'no existe', en: 'is absent' },
};

const dateOps: Record<string, { es: string; en: string }> = {
  gt: { es: 'después de', en: 'after' },
  gte: { es: 'desde', en: 'from' },
  lt: { es: 'antes de', en: 'before' },
  lte: { es: 'hasta', en: 'up to' },
};

const isDateField = (field: string) => /At$/.test(field);

/** One condition or group in words. */
export function describe(
  node: Condition | SegmentFilter,
  lang: Lang,
  names: ReadonlyMap<string, string>,
): string {
  if (!('field' in node)) {
    const group = node as SegmentFilter;
    const children = (group.all ?? group.any ?? []).map((child) => describe(child, lang, names));
    const joiner = group.any ? (lang === 'es' ? ' o ' : ' or ') : lang === 'es' ? ' y ' : ' and ';
    return children.length === 1 ? (children[0] as string) : `(${children.join(joiner)})`;
  }
  const condition = node as Condition;
  const field = fieldNames[condition.field]?.[lang] ?? condition.field;
  const name = (value: unknown) => {
    const text = String(value);
    const named = names.get(text);
    return named ? `«${named}»` : text;
  };
  const value = Array.isArray(condition.value)
    ? condition.value.map(name).join(', ')
    : condition.value === undefined
      ? ''
      : name(condition.value);
  if (condition.op === 'withinDays')
    return lang === 'es' ? `${field} en los últimos ${value} días` : `${field} in the last ${value} days`;
  if (isDateField(condition.field) && dateOps[condition.op])
    return `${field} ${dateOps[condition.op]?.[lang]} ${value}`;
  if (condition.field.startsWith('engagement.')) {
    const negated = condition.op === 'neq' || condition.op === 'nin';
    const verb = negated
      ? lang === 'es'
        ? `no ${field}`
        : `did not ${condition.field.endsWith('opened') ? 'open' : 'click'}`
      : field;
    return `${verb} ${value}`;
  }
  const op = opNames[condition.op]?.[lang] ?? condition.op;
  return `${field} ${op}${value === '' ? '' : ` ${value}`}`;
}

export const correctedMark = (lang: Lang) => (lang === 'es' ? ' (corregido)' : ' (corrected)');
