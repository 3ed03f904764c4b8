-- Supply donations (C4): the item catalogue, needs posted by recipients,
-- pledges from donors with their lines and amendments, shipments in batches
-- with their lines and receipts, and the reconciliation table.
--
-- Quantities are BIGINT counts in the line's unit (the item's unit, or
-- 'batch' when only "a batch" is known).  Money is BIGINT minor units of an
-- ISO 4217 currency (cents; yen and won have none).  Dates are TEXT
-- YYYY-MM-DD, times BIGINT milliseconds since the epoch (UTC).  The rules
-- (legal transitions, no shipping beyond the pledge, who may do what) are
-- enforced by domain/donation.c and domain/shipment.c; the CHECKs here are
-- the last line of defence.

CREATE TABLE donation_items (
  code TEXT PRIMARY KEY,
  name_en TEXT NOT NULL,
  name_zh TEXT NOT NULL,
  unit TEXT NOT NULL,
  category TEXT NOT NULL CHECK (category IN ('ppe', 'diagnostics', 'medical_equipment', 'disinfection', 'other')),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

INSERT INTO donation_items (code, name_en, name_zh, unit, category, created_at, updated_at) VALUES
  ('medical_mask', 'Medical mask', '医用口罩', 'piece', 'ppe', 0, 0),
  ('surgical_mask', 'Surgical mask', '医用外科口罩', 'piece', 'ppe', 0, 0),
  ('respirator_n95', 'N95/FFP2 respirator', 'N95/FFP2 防护口罩', 'piece', 'ppe', 0, 0),
  ('protective_suit', 'Protective suit', '医用防护服', 'set', 'ppe', 0, 0),
  ('isolation_gown', 'Isolation gown', '隔离衣', 'piece', 'ppe', 0, 0),
  ('gloves', 'Gloves', '医用手套', 'pair', 'ppe', 0, 0),
  ('goggles', 'Goggles', '护目镜', 'piece', 'ppe', 0, 0),
  ('face_shield', 'Face shield', '防护面屏', 'piece', 'ppe', 0, 0),
  ('nucleic_acid_test_kit', 'Nucleic-acid test kit', '核酸检测试剂盒', 'kit', 'diagnostics', 0, 0),
  ('antigen_test', 'Antigen test', '抗原检测试剂', 'test', 'diagnostics', 0, 0),
  ('ventilator', 'Ventilator', '呼吸机', 'unit', 'medical_equipment', 0, 0),
  ('oxygen_concentrator', 'Oxygen concentrator', '制氧机', 'unit', 'medical_equipment', 0, 0),
  ('infrared_thermometer', 'Infrared thermometer', '红外测温仪', 'piece', 'medical_equipment', 0, 0),
  ('disinfectant', 'Disinfectant', '消毒液', 'litre', 'disinfection', 0, 0);

-- A need: what a recipient organisation (owner_org) asks for.
CREATE TABLE donation_needs (
  id {{PK}},
  owner_org BIGINT NOT NULL REFERENCES orgs(id),
  visibility TEXT NOT NULL CHECK (visibility IN ('private', 'partners', 'listed', 'public')),
  item TEXT NOT NULL REFERENCES donation_items(code),
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  priority TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'critical')),
  needed_by TEXT,
  country TEXT NOT NULL,
  subdivision TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  note TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX donation_needs_owner ON donation_needs(owner_org, id);
CREATE INDEX donation_needs_item ON donation_needs(item, id);

-- A pledge: owner_org (the donor organisation, or the organisation that
-- records it on a donor's behalf: donor_name then names the donor) gives
-- to recipient_org at a place.  `amendments` counts the amendments of its
-- lines; `version` rises with every change (and locks the row on
-- PostgreSQL while a shipment or amendment checks the quantities).
CREATE TABLE pledges (
  id {{PK}},
  owner_org BIGINT NOT NULL REFERENCES orgs(id),
  visibility TEXT NOT NULL CHECK (visibility IN ('private', 'partners', 'listed', 'public')),
  donor_type TEXT NOT NULL CHECK (donor_type IN ('government', 'local_government', 'company', 'red_cross_society', 'ngo', 'individual')),
  donor_name TEXT NOT NULL DEFAULT '',
  recipient_org BIGINT NOT NULL REFERENCES orgs(id),
  country TEXT NOT NULL,
  subdivision TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  need_id BIGINT REFERENCES donation_needs(id),
  title TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('pledged', 'committed', 'cancelled')),
  pledged_on TEXT NOT NULL,
  committed_on TEXT,
  needed_by TEXT,
  note TEXT NOT NULL DEFAULT '',
  amendments INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX pledges_owner ON pledges(owner_org, id);
CREATE INDEX pledges_recipient ON pledges(recipient_org, id);
CREATE INDEX pledges_need ON pledges(need_id);

-- Lines of a pledge.  quantity is the current (amended) quantity; 0 means
-- the line was withdrawn by an amendment.
CREATE TABLE pledge_lines (
  id {{PK}},
  pledge_id BIGINT NOT NULL REFERENCES pledges(id),
  line_no INTEGER NOT NULL,
  item TEXT NOT NULL REFERENCES donation_items(code),
  unit TEXT NOT NULL,
  quantity BIGINT NOT NULL CHECK (quantity >= 0),
  value_minor BIGINT CHECK (value_minor >= 0),
  currency TEXT,
  note TEXT NOT NULL DEFAULT '',
  UNIQUE (pledge_id, line_no)
);
CREATE INDEX pledge_lines_item ON pledge_lines(item, pledge_id);

-- Every amendment of a pledge's lines: why, who, when, and the lines
-- before and after.
CREATE TABLE pledge_amendments (
  pledge_id BIGINT NOT NULL REFERENCES pledges(id),
  amendment INTEGER NOT NULL,
  reason TEXT NOT NULL,
  before_json TEXT NOT NULL,
  after_json TEXT NOT NULL,
  at BIGINT NOT NULL,
  by_label TEXT NOT NULL,
  PRIMARY KEY (pledge_id, amendment)
);

-- A shipment carries part of a pledge in one batch.
CREATE TABLE shipments (
  id {{PK}},
  pledge_id BIGINT NOT NULL REFERENCES pledges(id),
  batch_no INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('planned', 'dispatched', 'in_transit', 'arrived', 'received', 'lost', 'cancelled')),
  carrier TEXT NOT NULL DEFAULT '',
  waybill TEXT NOT NULL DEFAULT '',
  dispatched_on TEXT,
  eta TEXT,
  arrived_on TEXT,
  received_on TEXT,
  received_by TEXT NOT NULL DEFAULT '',
  discrepancy INTEGER NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (pledge_id, batch_no)
);

-- Lines of a shipment; pledge_id and item repeat the pledge line's so that
-- reconciliation aggregates without joins.  received is NULL until the
-- recipient records the receipt.
CREATE TABLE shipment_lines (
  id {{PK}},
  shipment_id BIGINT NOT NULL REFERENCES shipments(id),
  pledge_line_id BIGINT NOT NULL REFERENCES pledge_lines(id),
  pledge_id BIGINT NOT NULL REFERENCES pledges(id),
  item TEXT NOT NULL,
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  received BIGINT CHECK (received >= 0),
  discrepancy TEXT CHECK (discrepancy IN ('none', 'short', 'over', 'damaged', 'wrong_item', 'expired', 'other')),
  discrepancy_note TEXT NOT NULL DEFAULT '',
  UNIQUE (shipment_id, pledge_line_id)
);
-- Covering: reconciliation reads a line's batches from the index alone.
CREATE INDEX shipment_lines_line ON shipment_lines(pledge_line_id, shipment_id, quantity, received, discrepancy);

-- Reconciliation per pledge line, kept current by every write of the
-- pledge (in the same transaction) and recomputed whole by
-- `epibridge reconcile`.  The quantities of shipments by status:
-- planned, shipped (dispatched, in transit, arrived or received), received
-- (what the recipient counted), lost; short_qty and over_qty = what the
-- received batches were counted below or above what was sent.  Derived
-- data, rebuilt from the lines: no foreign keys (their checks would double
-- the cost of a full recompute).  The full recompute drops and rebuilds the
-- secondary indexes (domain/donation_recon.c names them).
CREATE TABLE donation_recon (
  pledge_line_id BIGINT PRIMARY KEY,
  pledge_id BIGINT NOT NULL,
  owner_org BIGINT NOT NULL,
  recipient_org BIGINT NOT NULL,
  item TEXT NOT NULL,
  unit TEXT NOT NULL,
  pledged BIGINT NOT NULL,
  planned BIGINT NOT NULL,
  shipped BIGINT NOT NULL,
  received BIGINT NOT NULL,
  lost BIGINT NOT NULL,
  short_qty BIGINT NOT NULL,
  over_qty BIGINT NOT NULL,
  discrepancies BIGINT NOT NULL,
  needed_by TEXT,
  refreshed_at BIGINT NOT NULL
);
CREATE INDEX donation_recon_pledge ON donation_recon(pledge_id);
CREATE INDEX donation_recon_owner ON donation_recon(owner_org);
CREATE INDEX donation_recon_recipient ON donation_recon(recipient_org);
CREATE INDEX donation_recon_item ON donation_recon(item);
