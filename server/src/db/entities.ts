import { Session } from '../users/session.entity';
import { UserToken } from '../auth/user-token.entity';
import { Mailing } from '../mailings/mailing.entity';
import { Message } from '../messages/message.entity';
import { Recipient } from '../recipients/recipient.entity';
import { Attempt } from '../sending/attempt.entity';
import { Delivery } from '../sending/delivery.entity';
import { User } from '../users/user.entity';

export const entities = [User, Session, UserToken, Recipient, Message, Mailing, Attempt, Delivery];
