import { lifecycleStages, userSettableMarketingStatuses } from '../contacts.ts';
import { leadSources } from '../leads.ts';
import type { ImportEntity } from './entities.ts';

/**
 * The columns an import reads per entity: the canonical column name (what an
 * export writes in its header; exact match on import), how a cell is read,
 * and the header names people's files use for it (HubSpot, Salesforce,
 * Pipedrive, Google and Outlook contact exports, in English and Spanish),
 * compared folded (shared/domain/imports/values.ts `fold`: no case, accents,
 * spaces or punctuation).
 */
export type FieldKind =
  | { readonly type: 'text' }
  | { readonly type: 'email' }
  | { readonly type: 'phone' }
  | { readonly type: 'country' }
  | { readonly type: 'domain' }
  | { readonly type: 'website' }
  | { readonly type: 'count' }
  | { readonly type: 'money' }
  | { readonly type: 'currency' }
  | { readonly type: 'date' }
  | { readonly type: 'tags' }
  | {
      readonly type: 'option';
      readonly options: readonly string[];
      readonly synonyms: Readonly<Record<string, string>>;
    }
  /** A reference by a human value, resolved by the pipeline into `apiField`. */
  | { readonly type: 'reference' }
  | { readonly type: 'emails' }
  /** A full name, split into firstName and lastName when the file has no first-name column. */
  | { readonly type: 'fullName' };

export interface ImportField {
  /** The canonical column name, also the mapping target. */
  readonly column: string;
  /** The API field the value goes to (for references: the id field the pipeline fills). */
  readonly apiField: string;
  readonly kind: FieldKind;
  /** Header names that map to it besides the column name itself. */
  readonly synonyms: readonly string[];
  /**
   * Names that also mean something else (Outlook's `Title` is the
   * salutation): a column so named yields to one named by the column name or
   * a synonym, and is then ignored.
   */
  readonly generic?: readonly string[];
  /**
   * A record's further values of the field (`E-mail 2 Address`, `Home
   * Phone`): they yield to any other column of the field, and among
   * themselves the first one wins.
   */
  readonly secondary?: readonly string[];
  /** Not written by exports: an extra way in (the full-name column). */
  readonly importOnly?: boolean;
}

const text = { type: 'text' } as const;

const firstName: ImportField = {
  column: 'firstName',
  apiField: 'firstName',
  kind: text,
  synonyms: ['First Name', 'Given Name', 'Forename', 'Nombre', 'Nombre de pila', 'Person - First name'],
};
const lastName: ImportField = {
  column: 'lastName',
  apiField: 'lastName',
  kind: text,
  synonyms: [
    'Last Name',
    'Surname',
    'Family Name',
    'Apellido',
    'Apellidos',
    'Apellido(s)',
    'Person - Last name',
  ],
};
const fullName: ImportField = {
  column: 'name',
  apiField: 'firstName',
  kind: { type: 'fullName' },
  synonyms: [
    'Name',
    'Full Name',
    'Contact Name',
    'Lead Name',
    'Person - Name',
    'Nombre completo',
    'Nombre y apellidos',
  ],
  importOnly: true,
};
const email: ImportField = {
  column: 'email',
  apiField: 'email',
  kind: { type: 'email' },
  synonyms: [
    'E-mail',
    'Email Address',
    'E-mail Address',
    'E-mail 1 - Value',
    'Work Email',
    'Person - Email',
    'Correo',
    'Correo electrónico',
    'Email de contacto',
    'Dirección de correo',
    'Mail',
  ],
  secondary: [
    'E-mail 2 Address',
    'E-mail 3 Address',
    'E-mail 2 - Value',
    'E-mail 3 - Value',
    'Email 2',
    'Other Email',
    'Personal Email',
  ],
};
const phone: ImportField = {
  column: 'phone',
  apiField: 'phone',
  kind: { type: 'phone' },
  synonyms: [
    'Phone',
    'Phone Number',
    'Telephone',
    'Mobile',
    'Mobile Phone',
    'Mobile Phone Number',
    'Phone 1 - Value',
    'Person - Phone',
    'Teléfono',
    'Telefono',
    'Tel',
    'Móvil',
    'Celular',
    'Teléfono móvil',
  ],
  secondary: [
    'Business Phone',
    'Business Phone 2',
    'Home Phone',
    'Home Phone 2',
    'Other Phone',
    'Primary Phone',
    'Company Main Telephone',
    'Phone 2 - Value',
    'Phone 3 - Value',
  ],
};
const country: ImportField = {
  column: 'country',
  apiField: 'country',
  kind: { type: 'country' },
  synonyms: [
    'Country',
    'Country/Region',
    'Country Code',
    'Mailing Country',
    'Billing Country',
    'Business Country/Region',
    'Address 1 - Country',
    'País',
    'Pais',
    'Código de país',
  ],
};
const city: ImportField = {
  column: 'city',
  apiField: 'city',
  kind: text,
  synonyms: [
    'City',
    'Town',
    'Mailing City',
    'Billing City',
    'Business City',
    'Address 1 - City',
    'Ciudad',
    'Localidad',
    'Población',
    'Municipio',
  ],
};
const tags: ImportField = {
  column: 'tags',
  apiField: 'tags',
  kind: { type: 'tags' },
  synonyms: [
    'Tags',
    'Tag',
    'Labels',
    'Categories',
    'Group Membership',
    'Etiquetas',
    'Etiqueta',
    'Categorías',
  ],
};
const owner: ImportField = {
  column: 'owner',
  apiField: 'ownerId',
  kind: { type: 'reference' },
  synonyms: [
    'Owner',
    'Owner Email',
    'Owner ID',
    'Contact Owner',
    'Company Owner',
    'Deal Owner',
    'Lead Owner',
    'Account Owner',
    'Opportunity Owner',
    'Record Owner',
    'Assigned To',
    'Propietario',
    'Propietario del contacto',
    'Responsable',
    'Comercial',
    'Asignado a',
  ],
};
const companyReference: ImportField = {
  column: 'company',
  apiField: 'companyId',
  kind: { type: 'reference' },
  synonyms: [
    'Company',
    'Company Name',
    'Company Domain',
    'Associated Company',
    'Account',
    'Account Name',
    'Organization',
    'Organization Name',
    'Organisation',
    'Organization - Name',
    'Organization 1 - Name',
    'Empresa',
    'Compañía',
    'Nombre de la empresa',
    'Organización',
    'Cuenta',
  ],
};
const leadSource: ImportField = {
  column: 'source',
  apiField: 'source',
  kind: {
    type: 'option',
    options: leadSources,
    synonyms: {
      website: 'web',
      webform: 'web',
      formulario: 'web',
      paginaweb: 'web',
      referido: 'referral',
      referencia: 'referral',
      recomendacion: 'referral',
      evento: 'event',
      feria: 'event',
      campana: 'campaign',
      emailcampaign: 'campaign',
      coldcall: 'cold_call',
      llamadaenfrio: 'cold_call',
      llamadafria: 'cold_call',
      socio: 'partner',
      partner: 'partner',
      distribuidor: 'partner',
      otro: 'other',
      otra: 'other',
      otros: 'other',
    },
  },
  synonyms: ['Source', 'Lead Source', 'Original Source', 'Origen', 'Fuente', 'Origen del lead', 'Canal'],
};

const contacts: readonly ImportField[] = [
  firstName,
  lastName,
  email,
  phone,
  companyReference,
  {
    column: 'title',
    apiField: 'title',
    kind: text,
    synonyms: [
      'Job Title',
      'Position',
      'Role',
      'Organization Title',
      'Organization 1 - Title',
      'Cargo',
      'Puesto',
      'Puesto de trabajo',
    ],
    generic: ['Title'],
  },
  country,
  city,
  tags,
  {
    column: 'lifecycleStage',
    apiField: 'lifecycleStage',
    kind: {
      type: 'option',
      options: lifecycleStages,
      synonyms: {
        suscriptor: 'subscriber',
        oportunidad: 'opportunity',
        cliente: 'customer',
        evangelista: 'evangelist',
        promotor: 'evangelist',
        otro: 'other',
        marketingqualifiedlead: 'lead',
        salesqualifiedlead: 'lead',
      },
    },
    synonyms: ['Lifecycle Stage', 'Lifecycle', 'Etapa del ciclo de vida', 'Ciclo de vida'],
  },
  {
    column: 'marketingStatus',
    apiField: 'marketingStatus',
    kind: {
      type: 'option',
      options: userSettableMarketingStatuses,
      synonyms: {
        suscrito: 'subscribed',
        optin: 'subscribed',
        si: 'subscribed',
        yes: 'subscribed',
        dadodebaja: 'unsubscribed',
        baja: 'unsubscribed',
        optout: 'unsubscribed',
        no: 'unsubscribed',
        // Only email events set these; an address that bounced or complained is not mailed
        // in the importing tenant either (an export of such contacts re-imports).
        bounced: 'unsubscribed',
        complained: 'unsubscribed',
      },
    },
    synonyms: [
      'Marketing Status',
      'Email Opt In',
      'Subscription Status',
      'Estado de marketing',
      'Suscripción',
    ],
  },
  owner,
  fullName,
];

const companies: readonly ImportField[] = [
  {
    column: 'name',
    apiField: 'name',
    kind: text,
    synonyms: [
      'Company',
      'Company Name',
      'Name',
      'Account Name',
      'Organization',
      'Organization Name',
      'Organization - Name',
      'Empresa',
      'Nombre',
      'Nombre de la empresa',
      'Razón social',
      'Compañía',
    ],
  },
  {
    column: 'domain',
    apiField: 'domain',
    kind: { type: 'domain' },
    synonyms: ['Domain', 'Company Domain', 'Company Domain Name', 'Email Domain', 'Dominio'],
  },
  {
    column: 'industry',
    apiField: 'industry',
    kind: text,
    synonyms: ['Industry', 'Sector', 'Industria', 'Actividad'],
  },
  {
    column: 'size',
    apiField: 'size',
    kind: { type: 'count' },
    synonyms: [
      'Employees',
      'Number of Employees',
      'Employee Count',
      'Company Size',
      'Empleados',
      'Número de empleados',
      'Plantilla',
      'Tamaño',
    ],
  },
  country,
  city,
  phone,
  {
    column: 'website',
    apiField: 'website',
    kind: { type: 'website' },
    synonyms: ['Website', 'Website URL', 'Web', 'URL', 'Sitio web', 'Página web', 'Pagina web'],
  },
  tags,
  owner,
];

const leads: readonly ImportField[] = [
  firstName,
  lastName,
  email,
  {
    column: 'companyName',
    apiField: 'companyName',
    kind: text,
    synonyms: companyReference.synonyms,
  },
  phone,
  leadSource,
  owner,
  country,
  fullName,
];

const deals: readonly ImportField[] = [
  {
    column: 'name',
    apiField: 'name',
    kind: text,
    synonyms: [
      'Deal Name',
      'Deal',
      'Name',
      'Title',
      'Deal - Title',
      'Opportunity Name',
      'Opportunity',
      'Nombre',
      'Nombre del negocio',
      'Negocio',
      'Oportunidad',
      'Título',
    ],
  },
  {
    column: 'externalId',
    apiField: 'externalId',
    kind: text,
    synonyms: [
      'External ID',
      'ID externo',
      'Record ID',
      'Deal ID',
      'Opportunity ID',
      'Deal - ID',
      'Referencia',
    ],
  },
  {
    column: 'amount',
    apiField: 'amount',
    kind: { type: 'money' },
    synonyms: [
      'Amount',
      'Deal Amount',
      'Value',
      'Deal Value',
      'Deal - Value',
      'Importe',
      'Valor',
      'Cantidad',
      'Monto',
    ],
  },
  {
    column: 'currency',
    apiField: 'currency',
    kind: { type: 'currency' },
    synonyms: ['Currency', 'Currency Code', 'Deal - Currency', 'Moneda', 'Divisa'],
  },
  {
    column: 'pipeline',
    apiField: 'pipelineId',
    kind: { type: 'reference' },
    synonyms: [
      'Pipeline',
      'Deal Pipeline',
      'Deal - Pipeline',
      'Embudo',
      'Embudo de ventas',
      'Canal de ventas',
    ],
  },
  {
    column: 'stage',
    apiField: 'stageId',
    kind: { type: 'reference' },
    synonyms: ['Stage', 'Deal Stage', 'Deal - Stage', 'Sales Stage', 'Etapa', 'Fase', 'Etapa del negocio'],
  },
  {
    column: 'lostReason',
    apiField: 'lostReason',
    kind: text,
    synonyms: ['Lost Reason', 'Closed Lost Reason', 'Loss Reason', 'Motivo de pérdida', 'Razón de pérdida'],
  },
  { ...companyReference },
  {
    column: 'contacts',
    apiField: 'contactIds',
    kind: { type: 'emails' },
    synonyms: [
      'Contact',
      'Contacts',
      'Contact Email',
      'Contact Emails',
      'Contacto',
      'Contactos',
      'Email del contacto',
    ],
  },
  {
    column: 'expectedCloseDate',
    apiField: 'expectedCloseDate',
    kind: { type: 'date' },
    synonyms: [
      'Close Date',
      'Expected Close Date',
      'Deal - Expected close date',
      'Fecha de cierre',
      'Fecha de cierre prevista',
      'Cierre previsto',
    ],
  },
  owner,
  leadSource,
  country,
];

/** Every column an import reads for `entity`, in export order (custom fields come after). */
export const importFields: Readonly<Record<ImportEntity, readonly ImportField[]>> = {
  contacts,
  companies,
  leads,
  deals,
};

/** The prefix of a custom field's canonical column: `customFields.<key>`. */
export const CUSTOM_FIELD_PREFIX = 'customFields.';
