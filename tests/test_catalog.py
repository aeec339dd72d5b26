"""The equipment catalogue, the tariff files and the reference FX table."""

from __future__ import annotations

import math
import shutil

import pandas as pd
import pytest

from twin import catalog
from twin.catalog import CatalogError


@pytest.fixture
def tmp_catalog(tmp_path, monkeypatch):
    """A writable copy of datasets/catalog with the loader's cache cleared around the test."""
    d = tmp_path / "catalog"
    shutil.copytree(catalog.CATALOG_DIR, d)
    monkeypatch.setattr(catalog, "CATALOG_DIR", d)
    catalog._table.cache_clear()
    yield d
    catalog._table.cache_clear()


def _raw(kind):
    return pd.read_csv(catalog.CATALOG_DIR / f"{kind}.csv", comment="#", dtype=str,
                       keep_default_na=False)


# ------------------------------------------------------------------------------ every table
@pytest.mark.parametrize("kind", catalog.TABLES)
def test_every_row_has_a_source_and_a_unique_name(kind):
    # read the file independently of the loader so a loader bug cannot hide a data problem
    raw = _raw(kind)
    assert len(raw) > 0
    assert raw["source"].str.strip().ne("").all(), raw.loc[raw["source"].str.strip() == "", "name"]
    assert not raw["name"].duplicated().any(), raw.loc[raw["name"].duplicated(), "name"].tolist()
    assert (raw["name"] == raw["name"].str.lower()).all()


@pytest.mark.parametrize("kind", catalog.TABLES)
def test_load_table_validates_and_indexes_by_name(kind):
    df = catalog.load_table(kind)
    assert list(df.index) == catalog.names(kind) == list(_raw(kind)["name"])
    text, numeric, boolean = catalog._SCHEMA[kind]
    for col in numeric:
        assert pd.api.types.is_float_dtype(df[col]), col
        assert df[col].notna().all(), col
    for col in boolean:
        assert df[col].dtype == bool


def test_load_table_returns_a_copy():
    df = catalog.load_table("gas_units")
    df.loc["sgt-800", "rated_mw"] = -1.0
    assert catalog.lookup("gas_units", "sgt-800")["rated_mw"] == 50.5


def test_lookup_gives_python_scalars():
    row = catalog.lookup("dry_coolers", "dry-cooler-adiabatic")
    assert type(row["adiabatic"]) is bool and row["adiabatic"] is True
    assert type(row["design_approach_k"]) is float
    assert type(row["name"]) is str
    assert catalog.lookup("fluids", "water")["boiling_point_c"] is None  # empty optional cell


def test_unknown_model_lists_valid_names_on_one_line():
    with pytest.raises(CatalogError) as exc:
        catalog.lookup("gas_units", "sgt800")
    msg = str(exc.value)
    valid = catalog.names("gas_units")
    assert msg == f"unknown gas_units model 'sgt800'; valid: {', '.join(valid)}"
    assert msg.startswith("unknown gas_units model 'sgt800'; valid: sgt-800, lm6000, ")
    assert "\n" not in msg
    assert isinstance(exc.value, ValueError)


def test_unknown_table():
    with pytest.raises(CatalogError, match=r"unknown catalogue table 'turbines'; valid: gas_units, "):
        catalog.load_table("turbines")


# --------------------------------------------------------------------- the loader's rules
def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_rejects_empty_source(tmp_catalog):
    p = tmp_catalog / "transformers.csv"
    text = p.read_text().splitlines()
    text.append("transformer-nosource,0.001,0.01,")
    p.write_text("\n".join(text) + "\n")
    with pytest.raises(CatalogError, match=r"transformers.csv row 'transformer-nosource': source is empty"):
        catalog.load_table("transformers")


def test_rejects_duplicate_name(tmp_catalog):
    p = tmp_catalog / "transformers.csv"
    p.write_text(p.read_text() + 'transformer-mv-lv-large,0.001,0.01,"copy"\n')
    with pytest.raises(CatalogError, match=r"name 'transformer-mv-lv-large' appears more than once"):
        catalog.load_table("transformers")


def test_rejects_non_numeric_value(tmp_catalog):
    _edit(tmp_catalog / "ups.csv", "ups-eco-mode,0.99,", "ups-eco-mode,high,")
    with pytest.raises(CatalogError, match=r"ups.csv row 'ups-eco-mode': eff_full='high' is not a finite number"):
        catalog.load_table("ups")


def test_rejects_fraction_out_of_range(tmp_catalog):
    _edit(tmp_catalog / "ups.csv", "ups-eco-mode,0.99,", "ups-eco-mode,99,")
    with pytest.raises(CatalogError, match=r"eff_full=99 is not a fraction in \[0, 1\]"):
        catalog.load_table("ups")


def test_rejects_unknown_accelerator_reference(tmp_catalog):
    _edit(tmp_catalog / "racks.csv", "hgx-h100-2,h100-sxm,", "hgx-h100-2,h100-pcie,")
    with pytest.raises(CatalogError, match=r"racks.csv row 'hgx-h100-2': accelerator='h100-pcie' is not a accelerators name"):
        catalog.load_table("racks")


def test_rejects_unknown_gas_kind(tmp_catalog):
    _edit(tmp_catalog / "gas_units.csv", "lm6000,gt,", "lm6000,aero,")
    with pytest.raises(CatalogError, match=r"kind='aero'; valid: ccgt, gt, engine"):
        catalog.load_table("gas_units")


# ------------------------------------------------------------------------------ contents
def test_required_rows_present():
    required = {
        "gas_units": ["sgt-800", "lm6000", "wartsila-18v50sg", "sgt-800-cc-2x1", "dea-vn-ccgt-750",
                      "m701jac-cc-1x1", "dea-vn-scgt-50", "dea-vn-gas-engine-20"],
        "accelerators": ["h100-sxm", "h200-sxm", "b200", "b300", "furiosa-rngd",
                         "rebellions-atom-plus", "rebellions-rebel100"],
        "racks": ["hgx-h100-4", "dgx-b200-4", "gb200-nvl72", "gb300-nvl72", "furiosa-rngd-nxt-8",
                  "rebellions-rebel100-rack", "rebellions-atom-plus-rack"],
        "chillers": ["doe2-centrifugal-5mw", "doe2-centrifugal-3.5mw", "high-eff-centrifugal-5mw",
                     "screw-1.5mw", "centrifugal-vsd-5mw", "screw-0.6mw", "screw-0.25mw"],
        # defaults named by the scenario schema
        "cooling_towers": ["tower-4k-approach"], "air_handlers": ["crah-standard"],
        "immersion_tanks": ["immersion-pao-w45", "cdu-water-glycol-w32"],
        "dry_coolers": ["dry-cooler-standard"], "ups": ["ups-double-conversion-hyperscale"],
        "transformers": ["transformer-mv-lv-large"], "batteries": ["li-ion-dea-vn-2020"],
    }
    for kind, rows in required.items():
        assert set(rows) <= set(catalog.names(kind)), kind


def test_published_values_spot_checks():
    sgt = catalog.lookup("gas_units", "sgt-800")
    assert sgt["rated_mw"] == 50.5  # Siemens SGT-800 brochure: 50.5 MW ISO
    ccgt = catalog.lookup("gas_units", "dea-vn-ccgt-750")
    # DEA Viet Nam Technology Catalogue CCGT 2020: 750 MW, 56% LHV, 56% minimum load, 7 %/min
    assert (ccgt["rated_mw"], ccgt["eff_full_lhv"], ccgt["min_load_frac"], ccgt["ramp_frac_per_min"]) \
        == (750, 0.56, 0.56, 0.07)
    assert catalog.lookup("gas_units", "m701jac-cc-1x1")["eff_full_lhv"] == 0.617  # MHI 2012: 61.7% CC
    assert catalog.lookup("gas_units", "lm6000")["eff_full_lhv"] == 0.419  # GE: 41.9% SC ISO
    assert catalog.lookup("chillers", "doe2-centrifugal-5mw")["cop_ref"] == 5.5  # EnergyPlus Chillers.idf
    assert catalog.lookup("batteries", "li-ion-dea-vn-2020")["rte_ac"] == 0.91  # DEA VN Li-ion 2020
    # WWSIS-2 (Lew et al. 2013) gas CT start cost 67 USD/MW, taken as the warm start
    assert catalog.lookup("gas_units", "sgt-800")["start_cost_warm_usd_per_mw"] == 67


def test_gas_units_consistency():
    df = catalog.load_table("gas_units")
    assert (df["hot_start_max_offline_h"] == 8).all()  # gridcode.com: hot start < 8 h offline
    assert (df["warm_start_max_offline_h"] == 48).all()  # warm 8-48 h
    assert (df["start_cost_hot_usd_per_mw"] <= df["start_cost_warm_usd_per_mw"]).all()
    assert (df["start_cost_warm_usd_per_mw"] <= df["start_cost_cold_usd_per_mw"]).all()
    assert ((df["eff_full_lhv"] > 0.3) & (df["eff_full_lhv"] < 0.65)).all()
    # combined cycles beat the simple-cycle machines they are built from
    assert catalog.lookup("gas_units", "sgt-800-cc-2x1")["eff_full_lhv"] > catalog.lookup("gas_units", "sgt-800")["eff_full_lhv"]


def test_rack_power_covers_its_accelerators():
    racks = catalog.load_table("racks")
    acc = catalog.load_table("accelerators")
    for name, r in racks.iterrows():
        chips_kw = r["accelerators_per_rack"] * acc.loc[r["accelerator"], "tdp_w"] / 1000.0
        assert chips_kw < r["rack_kw_max"], name
        # the liquid loop cannot take more than the rack's heat, and D2C racks take at least the chips' share
        assert 0.0 <= r["liquid_heat_frac"] <= 1.0


def test_gb300_liquid_share_derivation():
    # introl citing Supermicro (2025): 18 compute trays x 6.2 kW to liquid, 132 kW rack
    assert catalog.lookup("racks", "gb300-nvl72")["liquid_heat_frac"] == pytest.approx(18 * 6.2 / 132, abs=0.01)


def test_ups_rows_give_a_physical_loss_polynomial():
    # loss on the output basis L(x) = k0 + k1 x + k2 x^2 matched at x = 1 and x = 0.25 must have
    # k1, k2 >= 0 (hand algebra, as in the header of ups.csv)
    for name, r in catalog.load_table("ups").iterrows():
        k0 = r["no_load_loss_frac"]
        a = 1 / r["eff_full"] - 1 - k0
        b = 0.25 * (1 / r["eff_quarter"] - 1) - k0
        k2 = (b - 0.25 * a) / (0.0625 - 0.25)
        k1 = a - k2
        assert k1 >= 0 and k2 >= 0, name


def test_battery_soc_window_and_degradation():
    for name, r in catalog.load_table("batteries").iterrows():
        assert r["soc_min_frac"] < r["soc_max_frac"], name
    # D: DEA VN energy component 152 USD/kWh over 10,000 cycles = 15.2 USD/MWh
    assert catalog.lookup("batteries", "li-ion-dea-vn-2020")["degradation_usd_per_mwh"] == pytest.approx(152e3 / 10000)


def test_immersion_tank_fluids_are_in_fluids_table():
    fluids = set(catalog.names("fluids"))
    assert set(catalog.load_table("immersion_tanks")["fluid"]) <= fluids


# ------------------------------------------------------------------------------ tariffs, FX
def test_tariff_names_and_unknown_tariff():
    names = catalog.tariff_names()
    for n in ("evn-manufacturing-110kv", "evn-manufacturing-22-110kv",
              "kepco-industrial-gap2-hva-1", "kepco-industrial-eul-2026"):
        assert n in names
    assert "fx" not in names
    with pytest.raises(CatalogError) as exc:
        catalog.load_tariff("evn-110kv")
    assert str(exc.value) == f"unknown tariff 'evn-110kv'; valid: {', '.join(names)}"


@pytest.mark.parametrize("name", ["evn-manufacturing-110kv", "evn-manufacturing-22-110kv",
                                  "kepco-industrial-gap2-hva-1", "kepco-industrial-eul-2026"])
def test_every_tariff_loads_with_sources(name):
    t = catalog.load_tariff(name)
    assert t["name"] == name
    assert t["source"].strip() and t["co2_source"].strip()
    assert t["currency"] in ("VND", "KRW")
    for sc in t["surcharges_per_kwh"]:
        assert sc["source"].strip()


def test_tariff_copy_is_independent():
    t = catalog.load_tariff("evn-manufacturing-110kv")
    t["energy_price_per_kwh"]["all_year"]["peak"] = 0.0
    assert catalog.load_tariff("evn-manufacturing-110kv")["energy_price_per_kwh"]["all_year"]["peak"] == 2973


def test_grid_emission_factors():
    # MONRE/DCC: Viet Nam 2023 grid EF 0.6592 t/MWh; Ministry of Climate, Energy and Environment: Korea 2023 0.4173
    assert catalog.load_tariff("evn-manufacturing-110kv")["co2_t_per_mwh"] == 0.6592
    assert catalog.load_tariff("kepco-industrial-gap2-hva-1")["co2_t_per_mwh"] == 0.4173


def test_fx_reference_rates():
    fx = catalog.load_fx()
    assert fx["USD"] == 1.0
    assert fx["KRW"] == pytest.approx(1422.16)  # Bank of Korea 2025 annual average (KBS, 30 Dec 2025)
    assert 20000 < fx["VND"] < 30000  # planning value, flagged assumption in fx.yaml
    assert all(math.isfinite(v) and v > 0 for v in fx.values())
