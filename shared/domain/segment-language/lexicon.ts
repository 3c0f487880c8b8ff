import { searchable } from '../text.ts';

/**
 * The keywords of both languages, each mapped to the concepts it can play in
 * the grammar (grammar.ts). A phrase is up to {@link MAX_PHRASE_WORDS} words,
 * written here in any case and with accents; it is matched on the searchable
 * form, so "ÚLTIMOS" and "ultimos" meet. One word may carry several concepts
 * ("de" is a location cue and a filler): the grammar decides by position.
 */
export type Concept =
  // audience nouns
  | 'aud:everyone'
  | 'aud:customer'
  | 'aud:lead'
  | 'aud:opportunity'
  | 'aud:subscriber'
  | 'aud:evangelist'
  | 'aud:company'
  | 'mine'
  // connectives and negation
  | 'neg'
  | 'or'
  | 'and'
  | 'filler'
  | 'article'
  // cues
  | 'cue:location'
  | 'cue:outside'
  | 'cue:tag'
  | 'word:tag'
  | 'word:industry'
  | 'cue:owner'
  | 'cue:ownerPossessive'
  | 'word:deal'
  | 'word:stage'
  | 'cue:with'
  | 'verb:opened'
  | 'verb:clicked'
  | 'word:campaign'
  | 'word:last'
  | 'word:any'
  | 'word:recent'
  | 'cue:title'
  | 'word:contains'
  // presence fields
  | 'presence:email'
  | 'presence:phone'
  | 'presence:companyId'
  | 'presence:title'
  // marketing status
  | 'status:subscribed'
  | 'status:unsubscribed'
  | 'status:bounced'
  | 'status:complained'
  // engagement score
  | 'engaged:high'
  | 'engaged:low'
  | 'word:engagement'
  // date fields
  | 'field:createdAt'
  | 'field:lastActivityAt'
  | 'field:inactive'
  | 'field:updatedAt'
  // date words
  | 'date:in'
  | 'date:the'
  | 'date:lastN'
  | 'date:this'
  | 'date:previous'
  | 'date:today'
  | 'date:yesterday'
  | 'date:before'
  | 'date:after'
  | 'date:since'
  | 'date:ago'
  | 'date:agoPrefix'
  | 'date:for'
  | 'date:of'
  | 'unit:day'
  | 'unit:week'
  | 'unit:month'
  | 'unit:quarter'
  | 'unit:year'
  | `month:${number}`
  // numbers and comparisons
  | 'cmp:gt'
  | 'cmp:gte'
  | 'cmp:lt'
  | 'cmp:lte'
  | 'cmp:between'
  | 'cmp:orMore'
  | 'cmp:orLess'
  | 'word:employees';

export type Lang = 'es' | 'en';

/** Keyword phrases are at most this many words long. */
export const MAX_PHRASE_WORDS = 4;

type Entry = readonly [Concept, readonly string[], readonly string[]];

// [concept, Spanish phrases, English phrases]
const entries: readonly Entry[] = [
  [
    'aud:everyone',
    ['contactos', 'contacto', 'personas', 'persona', 'gente', 'todos', 'todas', 'todo el mundo'],
    ['contacts', 'contact', 'people', 'person', 'everyone', 'everybody'],
  ],
  ['aud:customer', ['clientes', 'cliente', 'clientas'], ['clients', 'client', 'customers', 'customer']],
  ['aud:lead', ['leads', 'lead', 'prospectos', 'prospecto'], ['leads', 'lead', 'prospects', 'prospect']],
  ['aud:opportunity', ['oportunidades'], ['opportunities']],
  ['aud:subscriber', ['suscriptores', 'suscriptor', 'suscriptoras'], ['subscribers', 'subscriber']],
  [
    'aud:evangelist',
    ['evangelistas', 'evangelista', 'promotores', 'promotoras'],
    ['evangelists', 'evangelist', 'advocates', 'advocate'],
  ],
  ['aud:company', ['empresas', 'compañías', 'companias', 'cuentas'], ['companies', 'accounts']],
  ['mine', ['mis', 'míos', 'mías', 'mios', 'mias', 'mi'], ['my', 'mine']],
  [
    'neg',
    ['no', 'sin', 'excepto', 'salvo', 'ni', 'nunca', 'menos los', 'exceptuando', 'que no'],
    [
      'not',
      'without',
      'except',
      'excluding',
      'non',
      "didn't",
      'didnt',
      "haven't",
      'havent',
      "hasn't",
      'hasnt',
      "hadn't",
      'hadnt',
      "weren't",
      'werent',
      "wasn't",
      'wasnt',
      "don't",
      'dont',
      "doesn't",
      "aren't",
      "isn't",
      'never',
      'no',
      'but not',
      'other than',
    ],
  ],
  ['or', ['o', 'u'], ['or']],
  ['and', ['y', 'e', ',', 'además'], ['and', 'also', 'as well as', 'plus']],
  ['article', ['el', 'la', 'los', 'las', 'un', 'una', 'unos', 'unas', 'lo'], ['the', 'a', 'an', 'any']],
  [
    'filler',
    [
      'de',
      'del',
      'en',
      'a',
      'al',
      'que',
      'con',
      'cuyo',
      'cuya',
      'cuyos',
      'cuyas',
      'son',
      'es',
      'sea',
      'sean',
      'están',
      'esten',
      'estén',
      'están',
      'han',
      'ha',
      'hayan',
      'haya',
      'habían',
      'habian',
      'había',
      'habia',
      'se',
      'sido',
      'tenido',
      'habido',
      'haber',
      'fueron',
      'fue',
      'todavía',
      'todavia',
      'aún',
      'aun',
      'ya',
      'estado',
      'estaban',
      'estuvieron',
      'ningún',
      'ninguna',
      'ninguno',
      'tienen',
      'tiene',
      'tengan',
      'todos',
      'todas',
      'los',
      'las',
      'el',
      'la',
      'un',
      'una',
      'quienes',
      'quien',
      'para',
      'por',
      'muestra',
      'muéstrame',
      'necesito',
      'necesitamos',
      'por favor',
      'quisiera',
      'queremos',
      'podrías',
      'puedes',
      'muestrame',
      'dame',
      'busca',
      'buscar',
      'encuentra',
      'lista',
      'listar',
      'ver',
      'quiero',
      'me',
      'pero',
      'solo',
      'sólo',
      'solamente',
      '.',
      ',',
      ';',
      ':',
      '!',
      '?',
      '¿',
      '¡',
      '"',
    ],
    [
      'the',
      'a',
      'an',
      'all',
      'who',
      'that',
      'which',
      'whose',
      'with',
      'are',
      'is',
      'were',
      'was',
      'be',
      'been',
      'have',
      'has',
      'had',
      'having',
      'still',
      'yet',
      'ever',
      'did',
      'do',
      'does',
      'of',
      'in',
      'on',
      'at',
      'to',
      'for',
      'from',
      'by',
      'show',
      'please',
      'i want',
      'i need',
      'we want',
      'we need',
      'i would like',
      "i'd like",
      'can you',
      'could you',
      'me',
      'list',
      'find',
      'get',
      'give',
      'every',
      'but',
      'only',
      'just',
      'whom',
      'whose',
      'ones',
      'those',
      'them',
      'they',
      'which',
    ],
  ],
  [
    'cue:location',
    [
      'de',
      'del',
      'en',
      'desde',
      'ubicados en',
      'ubicadas en',
      'situados en',
      'situadas en',
      'que viven en',
      'con sede en',
      'basados en',
      'radicados en',
    ],
    ['in', 'from', 'based in', 'located in', 'living in', 'who live in', 'headquartered in'],
  ],
  [
    'cue:outside',
    ['fuera de', 'fuera del', 'no en', 'no de'],
    ['outside', 'outside of', 'not in', 'not from', 'out of'],
  ],
  [
    'cue:tag',
    [
      'etiquetados',
      'etiquetadas',
      'etiquetado',
      'etiquetada',
      'etiquetados como',
      'etiquetadas como',
      'etiquetado como',
      'etiquetados con',
      'marcados como',
      'con la etiqueta',
      'con etiqueta',
      'con las etiquetas',
      'con etiquetas',
      'etiqueta',
      'etiquetas',
    ],
    [
      'tagged',
      'tagged as',
      'tagged with',
      'with the tag',
      'with tag',
      'with the tags',
      'with tags',
      'tag',
      'tags',
      'labelled',
      'labeled',
      'labelled as',
      'labeled as',
    ],
  ],
  [
    'word:industry',
    [
      'sector',
      'industria',
      'del sector',
      'de la industria',
      'sector de',
      'industria de',
      'sectores',
      'industrias',
    ],
    ['industry', 'sector', 'industries', 'sectors'],
  ],
  [
    'cue:owner',
    [
      'de la cartera de',
      'cartera de',
      'asignados a',
      'asignadas a',
      'asignado a',
      'asignada a',
      'cuyo propietario es',
      'cuyo propietario sea',
      'propietario',
      'propiedad de',
      'del comercial',
      'comercial',
      'del vendedor',
      'gestionados por',
      'llevados por',
      'cuyo responsable es',
      'responsable',
    ],
    [
      'owned by',
      'assigned to',
      'whose owner is',
      'owner',
      'owner is',
      'managed by',
      'handled by',
      'belonging to',
    ],
  ],
  ['cue:ownerPossessive', [], ["'s"]],
  // After a tag value: "sin la newsletter etiqueta", "without the newsletter tag".
  ['word:tag', ['etiqueta', 'etiquetas'], ['tag', 'tags', 'label']],
  [
    'word:deal',
    ['negocio', 'negocios', 'oportunidad', 'trato', 'tratos', 'acuerdo'],
    ['deal', 'deals', 'opportunity'],
  ],
  ['word:stage', ['etapa', 'fase', 'la etapa', 'la fase', 'estado'], ['stage', 'phase', 'the stage']],
  [
    'cue:with',
    ['con', 'tienen', 'tiene', 'que tienen', 'que tengan'],
    ['with', 'having', 'has', 'have', 'who have', 'that have'],
  ],
  [
    'verb:opened',
    [
      'abrieron',
      'abrió',
      'abrio',
      'abierto',
      'han abierto',
      'abren',
      'abre',
      'abrieran',
      'hayan abierto',
      'leyeron',
      'ha abierto',
      'abrieron el correo de',
    ],
    ['opened', 'open', 'opens', 'have opened', 'has opened', 'read'],
  ],
  [
    'verb:clicked',
    [
      'hicieron clic en',
      'hicieron click en',
      'hicieron clic',
      'hicieron click',
      'clicaron',
      'clicaron en',
      'pincharon',
      'pincharon en',
      'han hecho clic en',
      'hecho clic en',
      'clic en',
      'click en',
    ],
    [
      'clicked',
      'clicked on',
      'clicked in',
      'clicked through',
      'click',
      'clicks',
      'click on',
      'clicked a link in',
    ],
  ],
  [
    'word:campaign',
    ['campaña', 'campañas', 'la campaña', 'el envío', 'envío', 'correo', 'email de la campaña'],
    ['campaign', 'campaigns', 'mailing', 'the campaign'],
  ],
  ['word:last', ['última', 'último', 'ultima', 'ultimo'], ['last', 'latest', 'most recent', 'newest']],
  ['word:recent', ['más reciente', 'mas reciente', 'reciente'], ['most recent', 'recent']],
  [
    'word:any',
    ['alguna', 'algún', 'alguno', 'cualquier', 'cualquiera', 'alguna de las'],
    ['any', 'a', 'some', 'at least one'],
  ],
  [
    'cue:title',
    [
      'cuyo cargo contiene',
      'cargo contiene',
      'con cargo',
      'con el cargo',
      'cargo',
      'puesto',
      'con el puesto',
      'cuyo puesto contiene',
      'cuyo cargo es',
      'cuyo cargo incluye',
      'título',
      'titulo',
    ],
    [
      'whose title contains',
      'title contains',
      'with title',
      'with the title',
      'title',
      'job title',
      'whose job title contains',
      'whose title is',
      'titled',
    ],
  ],
  [
    'presence:email',
    ['email', 'e-mail', 'correo', 'correo electrónico', 'correo electronico', 'mail', 'emails'],
    ['email', 'e-mail', 'email address', 'an email', 'emails'],
  ],
  [
    'presence:phone',
    ['teléfono', 'telefono', 'móvil', 'movil', 'número de teléfono'],
    ['phone', 'phone number', 'telephone', 'mobile'],
  ],
  [
    'presence:companyId',
    ['empresa', 'compañía', 'compania', 'empresa asociada'],
    ['company', 'a company', 'employer'],
  ],
  ['presence:title', ['cargo', 'puesto'], ['title', 'job title']],
  [
    'status:subscribed',
    [
      'suscritos',
      'suscritas',
      'suscrito',
      'suscrita',
      'abonados',
      'se suscribieron',
      'se suscribió',
      'se suscribio',
      'suscribieron',
      'se han suscrito',
      'se ha suscrito',
      'se hayan suscrito',
    ],
    ['subscribed', 'opted in', 'opted-in', 'opt-in', 'have subscribed', 'has subscribed'],
  ],
  [
    'status:unsubscribed',
    [
      'dados de baja',
      'dadas de baja',
      'de baja',
      'desuscritos',
      'desuscritas',
      'dado de baja',
      'dada de baja',
      'bajas',
      'se dieron de baja',
      'se dio de baja',
      'se dió de baja',
      'dieron de baja',
      'dio de baja',
      'han dado de baja',
      'ha dado de baja',
      'hayan dado de baja',
      'se desuscribieron',
      'se desuscribió',
      'se desuscribio',
      'desuscribieron',
      'se han desuscrito',
      'se ha desuscrito',
      'se borraron de la lista',
    ],
    [
      'unsubscribed',
      'opted out',
      'opted-out',
      'opt-out',
      'have unsubscribed',
      'has unsubscribed',
      'unsubscribed from',
    ],
  ],
  [
    'status:bounced',
    [
      'rebotados',
      'rebotadas',
      'rebotado',
      'rebotada',
      'con rebote',
      'rebote',
      'rebotes',
      'rebotaron',
      'rebotó',
      'rebotan',
      'rebota',
      'han rebotado',
      'ha rebotado',
    ],
    ['bounced', 'bounce', 'bounces', 'hard bounced', 'have bounced', 'has bounced', 'bounced back'],
  ],
  [
    'status:complained',
    [
      'que se quejaron',
      'se quejaron',
      'se quejó',
      'se quejo',
      'quejaron',
      'se han quejado',
      'se ha quejado',
      'con queja',
      'con quejas',
      'quejas',
      'queja',
      'marcaron como spam',
      'nos marcaron como spam',
      'denunciaron como spam',
    ],
    [
      'complained',
      'complaint',
      'complaints',
      'who complained',
      'marked as spam',
      'marked us as spam',
      'reported spam',
      'reported as spam',
      'have complained',
      'has complained',
    ],
  ],
  [
    'engaged:high',
    [
      'más comprometidos',
      'mas comprometidos',
      'los más comprometidos',
      'comprometidos',
      'más enganchados',
      'mas enganchados',
      'enganchados',
      'alto engagement',
      'engagement alto',
      'mucho engagement',
      'muy comprometidos',
      'más activos en campañas',
    ],
    ['most engaged', 'highly engaged', 'engaged', 'high engagement', 'very engaged', 'more engaged'],
  ],
  [
    'engaged:low',
    [
      'poco comprometidos',
      'menos comprometidos',
      'bajo engagement',
      'engagement bajo',
      'poco engagement',
      'poco enganchados',
      'desenganchados',
      'sin engagement',
    ],
    ['least engaged', 'low engagement', 'disengaged', 'unengaged', 'less engaged', 'poorly engaged'],
  ],
  [
    'word:engagement',
    [
      'engagement',
      'puntuación de engagement',
      'engagement score',
      'compromiso',
      'nivel de engagement',
      'puntuación',
      'puntuacion',
    ],
    ['engagement', 'engagement score', 'score'],
  ],
  [
    'field:createdAt',
    [
      'creados',
      'creadas',
      'creado',
      'creada',
      'nuevos',
      'nuevas',
      'nuevo',
      'nueva',
      'dados de alta',
      'dadas de alta',
      'registrados',
      'registradas',
      'altas',
      'añadidos',
      'añadidas',
      'agregados',
      'alta',
      'se registraron',
      'se registró',
      'se registro',
      'registraron',
      'se han registrado',
      'se dieron de alta',
      'se dio de alta',
      'dieron de alta',
      'se han dado de alta',
      'se apuntaron',
      'se unieron',
    ],
    [
      'created',
      'new',
      'added',
      'registered',
      'signed up',
      'joined',
      'sign up',
      'signed-up',
      'were created',
      'were added',
    ],
  ],
  [
    'field:lastActivityAt',
    [
      'actividad',
      'contactados',
      'contactadas',
      'contactado',
      'activos',
      'activas',
      'con actividad',
      'última actividad',
      'ultima actividad',
    ],
    ['activity', 'contacted', 'active', 'last touched', 'touched', 'last activity', 'engaged with'],
  ],
  ['field:inactive', ['inactivos', 'inactivas', 'inactivo', 'inactiva'], ['inactive', 'dormant']],
  [
    'field:updatedAt',
    ['actualizados', 'actualizadas', 'modificados', 'modificadas', 'cambiados', 'editados'],
    ['updated', 'changed', 'modified', 'edited'],
  ],
  ['date:in', ['en', 'durante', 'dentro de'], ['in', 'during', 'over', 'within', 'on']],
  ['date:the', ['el', 'la', 'los', 'las'], ['the']],
  [
    'date:lastN',
    ['últimos', 'últimas', 'último', 'última', 'ultimos', 'ultimas', 'pasados', 'pasadas'],
    ['last', 'past', 'previous'],
  ],
  ['date:this', ['este', 'esta', 'estos', 'en curso'], ['this', 'current']],
  [
    'date:previous',
    ['pasado', 'pasada', 'anterior', 'último', 'última', 'ultimo', 'ultima'],
    ['last', 'previous', 'past'],
  ],
  ['date:today', ['hoy'], ['today']],
  ['date:yesterday', ['ayer'], ['yesterday']],
  [
    'date:before',
    ['antes de', 'antes del', 'anteriores a', 'anterior a', 'hasta antes de'],
    ['before', 'prior to', 'earlier than'],
  ],
  [
    'date:after',
    ['después de', 'despues de', 'después del', 'despues del', 'posteriores a', 'posterior a', 'tras'],
    ['after', 'later than'],
  ],
  ['date:since', ['desde', 'a partir de', 'desde el', 'a partir del'], ['since', 'from', 'starting']],
  ['date:ago', [], ['ago']],
  ['date:agoPrefix', ['hace'], []],
  ['date:for', ['durante', 'desde hace', 'hace', 'en', 'por'], ['for', 'in', 'over']],
  ['date:of', ['de', 'del'], ['of']],
  ['unit:day', ['días', 'dias', 'día', 'dia'], ['days', 'day']],
  ['unit:week', ['semanas', 'semana'], ['weeks', 'week']],
  ['unit:month', ['meses', 'mes'], ['months', 'month']],
  ['unit:quarter', ['trimestre', 'trimestres'], ['quarter', 'quarters']],
  ['unit:year', ['años', 'año', 'anos', 'ano'], ['years', 'year']],
  [
    'cmp:gt',
    ['más de', 'mas de', 'mayor que', 'mayor de', 'superior a', 'por encima de', 'más que'],
    ['more than', 'over', 'above', 'greater than', 'higher than', 'bigger than', 'larger than'],
  ],
  [
    'cmp:gte',
    ['al menos', 'como mínimo', 'como minimo', 'mínimo', 'minimo', 'por lo menos'],
    ['at least', 'minimum', 'no fewer than', 'no less than'],
  ],
  [
    'cmp:lt',
    ['menos de', 'menor que', 'menor de', 'inferior a', 'por debajo de', 'menos que'],
    ['fewer than', 'less than', 'under', 'below', 'lower than', 'smaller than'],
  ],
  [
    'cmp:lte',
    ['como mucho', 'como máximo', 'como maximo', 'hasta', 'máximo', 'maximo', 'no más de'],
    ['at most', 'up to', 'maximum', 'no more than'],
  ],
  ['cmp:between', ['entre'], ['between']],
  ['cmp:orMore', ['o más', 'o mas', 'o superior', 'o más de'], ['or more', 'plus', 'or above', 'or over']],
  ['cmp:orLess', ['o menos', 'o inferior'], ['or less', 'or fewer', 'or below']],
  [
    'word:employees',
    ['empleados', 'empleado', 'trabajadores', 'personas en plantilla', 'de plantilla', 'plantilla'],
    ['employees', 'employee', 'staff', 'people on staff', 'workers', 'headcount'],
  ],
  ...(
    [
      ['enero', 'january', 'jan'],
      ['febrero', 'february', 'feb'],
      ['marzo', 'march', 'mar'],
      ['abril', 'april', 'apr'],
      ['mayo', 'may', 'may'],
      ['junio', 'june', 'jun'],
      ['julio', 'july', 'jul'],
      ['agosto', 'august', 'aug'],
      ['septiembre', 'september', 'sep'],
      ['octubre', 'october', 'oct'],
      ['noviembre', 'november', 'nov'],
      ['diciembre', 'december', 'dec'],
    ] as const
  ).map(
    ([es, en, short], index): Entry => [
      `month:${index + 1}`,
      [es, ...(es === 'septiembre' ? ['setiembre'] : [])],
      [en, short],
    ],
  ),
];

export interface LexiconIndex {
  /** Searchable phrase → concepts it can play. */
  readonly phrases: ReadonlyMap<string, ReadonlySet<Concept>>;
  /** Every word of every phrase (the known words typos are corrected towards). */
  readonly words: ReadonlySet<string>;
  /** Words used by one language only, for detection. */
  readonly languageOf: ReadonlyMap<string, Lang>;
  /**
   * Function words: a word that alone is a connective, article, filler, cue or
   * negation, or that appears only in such phrases ("been", "solo", "pero",
   * "lista", "favor"). A typo is never corrected into one: an unknown word one
   * edit away ("Bern", "Oslo") would vanish silently.
   */
  readonly functionWords: ReadonlySet<string>;
}

/** Concepts that only join, frame or negate other words. */
const functionConcepts: ReadonlySet<Concept> = new Set<Concept>([
  'filler',
  'article',
  'and',
  'or',
  'neg',
  'cue:location',
  'cue:outside',
  'cue:with',
  'word:any',
  'date:the',
  'date:of',
  'date:in',
  'date:for',
]);

function buildLexicon(): LexiconIndex {
  const phrases = new Map<string, Set<Concept>>();
  const words = new Set<string>();
  const seen = { es: new Set<string>(), en: new Set<string>() };
  for (const [concept, es, en] of entries) {
    for (const [lang, list] of [
      ['es', es],
      ['en', en],
    ] as const) {
      for (const phrase of list) {
        const form = searchable(phrase);
        const set = phrases.get(form) ?? new Set<Concept>();
        set.add(concept);
        phrases.set(form, set);
        for (const word of form.split(' ')) {
          words.add(word);
          seen[lang].add(word);
        }
      }
    }
  }
  const languageOf = new Map<string, Lang>();
  for (const word of seen.es) if (!seen.en.has(word)) languageOf.set(word, 'es');
  for (const word of seen.en) if (!seen.es.has(word)) languageOf.set(word, 'en');
  const contentWords = new Set<string>();
  const functionWords = new Set<string>();
  for (const [form, concepts] of phrases) {
    const framing = [...concepts].some((concept) => functionConcepts.has(concept));
    if (framing && !form.includes(' ')) functionWords.add(form);
    if ([...concepts].some((concept) => !functionConcepts.has(concept)))
      for (const word of form.split(' ')) contentWords.add(word);
  }
  for (const word of words) if (!contentWords.has(word)) functionWords.add(word);
  return { phrases, words, languageOf, functionWords };
}

export const lexicon: LexiconIndex = buildLexicon();
