"""Expected outputs of Jinja2 snippets under transformers' chat-template environment, for
JinjaChatTemplateTest. Run with the pyref venv (see README.md); writes
../resources/jinja/jinja2_cases.json."""
import json
import pathlib
import transformers
from transformers.utils.chat_template_utils import _compile_jinja_template
msgs=[{"role":"system","content":"  Be brief. "},{"role":"user","content":"Hi \"there\" 'x'\n"},{"role":"assistant","content":"<think>hm</think>Hello! 🙂"}]
cases = [
 "{{ messages[0]['role'] + '|' + messages[0].content }}",
 "[{{ messages[0]['content'].strip() }}][{{ messages[0].content | trim }}]",
 "{{ messages[1] | tojson }}",
 "{{ {'name': 'f', 'args': [1, 2.5, true, none], 'ü': 'é'} | tojson }}",
 "{{ {'b': 1, 'a': {'c': []}} | tojson(indent=2) }}",
 "{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}",
 "{% set ns = namespace(n=0, last='') %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% set ns.last = m.role %}{% endfor %}{{ ns.n }} {{ ns.last }}",
 "{% for m in messages %}{{ loop.index0 }}:{{ loop.index }}{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %},{% endfor %}",
 "{{ messages[1:] | length }}|{{ messages[-1]['role'] }}|{% for m in messages[::-1] %}{{ m.role }} {% endfor %}",
 "{% if messages[2].content.startswith('<think>') %}S{% endif %}{% if messages[2].content.endswith(('x', '🙂')) %}E{% endif %}{{ messages[2].content.split('</think>')[-1] }}|{{ 'ABC'.lower() }}{{ 'x'.upper() }}|{{ ' a b  c '.split() | length }}|{{ 'xxhixx'.strip('x') }}|{{ 'a,b,,c'.split(',') | length }}",
 "{% if tools is defined and tools %}T{% else %}noT{% endif %}|{% if foo is not defined %}u{% endif %}|{% if messages[0].content is string %}s{% endif %}",
 "a\n  {% if true %}\n  b\n  {% endif %}\nc\n",
 "{%- for m in messages -%}\n  <{{ m.role }}>\n{%- endfor %}\n",
 "{{ 'a\\nb\\tc' }}|{{ \"q\\\"s\" }}|{{ 'it\\'s' }}|{{ '\\u00e9' }}",
 "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% endif %}{% endfor %}",
 "{{ 'x' if add_generation_prompt else 'y' }}{{ bos_token ~ '|' ~ eos_token }}",
 "{% if messages[0]['role'] == 'system' %}{% set sys = messages[0]['content'] %}{% set rest = messages[1:] %}{% else %}{% set sys = '' %}{% set rest = messages %}{% endif %}{{ sys | trim }}:{% for m in rest %}{{ m.role }};{% endfor %}",
 "{% for m in messages %}{% if m.role == 'user' %}{% continue %}{% endif %}{{ m.role }},{% endfor %}",
 "{{ (messages | selectattr('role', 'equalto', 'user') | list | length) }}{{ messages | map(attribute='role') | join(',') }}",
 "{% macro r(m) %}[{{ m.role }}]{% endmacro %}{% for m in messages %}{{ r(m) }}{% endfor %}",
 "{{ '<a>' + messages[0].content|trim + '</a>' }}",
 "{{ 'a\\\\b' }}|{{ \"c\\\\\\\"d\" }}",
 "x {% if true %}y{% endif %}\n  {# note #}\nz {{ 'w' }} {% if true %}v{% endif %}",
 "{% raw %}{{ not rendered }}{% endraw %}\nafter",
 "{%- if messages -%}\n  {{- messages | length -}}\n{%- endif %}\n\n",
 "{% for m in messages %}\n    {% if m.role == 'user' %}\n        U:{{ m.content | trim }}\n    {% endif %}\n{% endfor %}",
 "a  \n  {{- 'b' -}}  \n c|{{- 'd' }} e {{ 'f' -}}\n\n g|{{-'h'-}}|",
 "{%- for m in messages %}\n    {%- if m.role == 'user' %}\n        {{- '<u>' + m.role }}\n    {%- else %}\n        {{- '<' + m.role + '>' }}\n    {%- endif %}\n{%- endfor %}\n",
 # Python str methods, filters, loop controls and tests the published templates use (issue 12)
 "{{ 'a-b-c'.split('-', 1) | join('|') }}|{{ '  x '.lstrip() }}|{{ 'xxhixx'.rstrip('x') }}|{{ 'a\nb\n'.splitlines() | length }}|{{ 'a\nb\n'.splitlines() }}",
 "{{ 'hello world'.title() }}|{{ 'hELLO'.capitalize() }}|{{ 'a,b'.replace(',', ';') }}|{{ 'banana'.count('a') }}|{{ 'banana'.find('n') }}|{{ 'banana'.find('z') }}",
 "{{ ', '.join(['a', 'b']) }}|{{ '{} and {}'.format(1, 'x') }}|{{ '{1}{0}{{}}'.format('a', 'b') }}|{% if '12'.isdigit() and not 'a1'.isdigit() and ' '.isspace() and 'ab'.islower() and 'AB'.isupper() %}ok{% endif %}",
 "{{ 'abc'[1:] }}|{{ 'abc'[:-1] }}|{{ messages[-1].role }}|{{ messages[:-1] | length }}|{{ messages[1:2][0].role }}|{% for m in messages[::-1] %}{{ m.role[0] }}{% endfor %}",
 "{{ 'x🙂y'[1] }}{{ 'abc'[-1] }}{{ 'abc'[0] }}|{{ [1, 'a'] }}|{{ {'a': 1, 'b': 'x'} }}|{{ ['x', 'y'] }}|{{ 1.5 }}|{{ 10 / 4 }}|{{ 7 // 2 }}|{{ 7 % 3 }}|{{ 2 ** 10 }}",
 "{% if 'b' in 'abc' and 'z' not in 'abc' and 2 in [1, 2] and 'role' in messages[0] and 'tool_calls' not in messages[0] %}in{% endif %}|{{ '' or 'd' }}|{{ 'y' if messages else 'n' }}",
 "{% if x is undefined and none is none and 'a' is string and 1 is number and {} is mapping and [] is iterable and [] is sequence and 2 is even and 3 is odd and 9 is divisibleby 3 and 1 is equalto 1 and none is not none == false %}tests{% endif %}",
 "{{ messages | count }}|{{ (messages | first).role }}|{{ (messages | last).role }}|{{ ['a', 'b'] | map('upper') | join }}|{{ [1, 2, 3, 4] | select('even') | list }}|{{ messages | rejectattr('role', 'equalto', 'user') | map(attribute='role') | join(',') }}|{{ [1, 2, 3] | reject('odd') | list }}",
 "{{ [3, 1, 2] | sort | list }}|{{ [1, 2] | reverse | list }}|{{ [1, 2, 1] | unique | list }}|{{ '' | default('d', true) }}|{{ 'ab cd' | title }}|{{ 'aXa' | replace('a', 'b') }}|{{ 'a\nb' | indent(2) }}|{{ '3' | int + 1 }}|{{ '2.5' | float }}|{{ -3 | abs }}|{{ 2.567 | round(1) }}|{{ [1, 2, 3] | sum }}|{{ 'a b c' | wordcount }}",
 "{% for k, v in {'b': 1, 'a': 2} | dictsort %}{{ k }}={{ v }},{% endfor %}|{% for k, v in {'b': 1}.items() %}{{ k }}{{ v }}{% endfor %}|{{ {'a': 1}.keys() | list }}|{{ {'a': 1}.get('a') }}|{{ {'a': 1}.get('b', 'd') }}|{{ messages[0].get('content') }}|{{ messages[0].nope }}",
 "{% for m in messages %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.length }}{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}{{ loop.cycle('a', 'b') }};{% endfor %}|{% for m in messages %}{% if loop.index > 2 %}{% break %}{% endif %}{{ m.role }},{% endfor %}",
 "{% for a in [1, 2] %}{% for b in ['x', 'y'] %}{{ a }}{{ b }}{{ loop.index }}{% endfor %}{{ loop.index }};{% endfor %}|{% set x %}block {{ 1 + 1 }}{% endset %}{{ x }}|{% set a, b = 1, 2 %}{{ a }}{{ b }}",
 "{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('A') }}|{{ greet('B', greeting='Hi') }}|{{ greet(name='C') }}|{{ range(3) | list }}|{{ range(1, 10, 3) | list }}",
 "{% set ns = namespace(last=messages|length - 1, n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.last }}{{ ns.n }}|{% if not x is defined %}a{% endif %}{% if not messages is defined %}b{% endif %}{% if not messages[0]['role'] is string %}c{% endif %}",
 "{%- set content = messages[2].content -%}{%- if '</think>' in content -%}{{- content.split('</think>')[0].split('<think>')[-1] -}}|{{- content.split('</think>')[-1].lstrip('\n') -}}{%- endif -%}",
 "{% if strftime_now is defined and raise_exception is defined %}globals{% endif %}|{{ messages[1].content | replace('{', '(') }}",
 "a {#- c -#} b|\n  {#- c #}\nx\n{%- if true -%}\n  y  \n{%- endif -%}\n|{%+ if true %}+{% endif %}|  {%- raw -%}  {{ r }}  {%- endraw -%}  |",
]
out=[]
for c in cases:
    t=_compile_jinja_template(c)
    out.append([c, t.render(messages=msgs, add_generation_prompt=True, bos_token="<s>", eos_token="</s>")])
doc = {"doc": "[template, expected output] rendered by transformers' _compile_jinja_template with messages=MESSAGES, add_generation_prompt=True, bos_token='<s>', eos_token='</s>'", "transformers": transformers.__version__, "messages": msgs, "cases": out}
target = pathlib.Path(__file__).parent.parent / "resources" / "jinja" / "jinja2_cases.json"
target.parent.mkdir(exist_ok=True)
target.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
