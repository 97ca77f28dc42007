-- Terms written with the combining marks the matching form now removes (20261201125624: every code
-- point of the combining-mark blocks) get their stored pattern and their rooms' matchers from the new
-- form, as 20261201111834 did for the letter-likes. ASCII terms are unchanged.
update public.chatroom_blocked_terms set term = term where term ~ '[^\u0001-\u007f]';
