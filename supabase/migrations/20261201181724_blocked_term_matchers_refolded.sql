-- Rooms whose blocked terms hold a letter the matching form now reads as written (20261201181706:
-- Greek capitals, ϲ, ғ) get their term matcher built again from the new forms. Serves API.md
-- `chatroom_blocked_terms`.
select private.rebuild_term_matcher(t.chatroom_id)
from (select distinct b.chatroom_id from public.chatroom_blocked_terms b
      where b.term ~ '[ſƼΒΗΝΥϒϲϹБҒғẚꞴ𑢤𑢦𑢵𑢼𝚩𝚮𝚴𝚼𝛣𝛨𝛮𝛶𝜝𝜢𝜨𝜰𝝗𝝜𝝢𝝪𝞑𝞖𝞜𝞤]') t;
