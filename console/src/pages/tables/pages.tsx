import { addMessages } from '../../i18n/index.ts';
import { companiesConfig, contactsConfig, dealsConfig, leadsConfig } from './entities.tsx';
import { messages } from './messages.ts';
import { RecordList } from './record-list.tsx';

addMessages(messages);

/** The record list pages at /app/contacts, /app/companies, /app/leads and /app/deals. */
export const ContactsList = () => <RecordList config={contactsConfig} />;
export const CompaniesList = () => <RecordList config={companiesConfig} />;
export const LeadsList = () => <RecordList config={leadsConfig} />;
export const DealsList = () => <RecordList config={dealsConfig} />;
