import { PageType } from '../common/pagination';
import { Recipient } from './recipient.entity';

/** One page of recipients: the recipients list, and a mailing's own recipients. */
export const RecipientPage = PageType(Recipient);
